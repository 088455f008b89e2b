// The bench's own Python environment: `python3 -m venv DIR`, then
// `pip install torch numpy` with pip as this machine configures it (its index,
// find-links and constraints: nothing is pinned or redirected here). An existing
// venv whose Python imports both is reused as it is.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REQUIRED_PACKAGES = ['torch', 'numpy'] as const;

export class VenvError extends Error {}

export function venvPython(dir: string): string {
  return process.platform === 'win32' ? join(dir, 'Scripts', 'python.exe') : join(dir, 'bin', 'python');
}

function imports(python: string): { ok: boolean; detail: string } {
  const r = spawnSync(python, ['-c', `import ${REQUIRED_PACKAGES.join(', ')}; print(torch.__version__)`], { encoding: 'utf8' });
  return { ok: r.status === 0, detail: (r.stdout || r.stderr || r.error?.message || '').trim() };
}

/** The venv's Python, creating the venv and installing the packages when needed. */
export function ensureVenv(dir: string, basePython: string, log: (line: string) => void): string {
  const at = resolve(dir);
  const python = venvPython(at);
  if (existsSync(python) && imports(python).ok) return python;
  if (!existsSync(python)) {
    log(`creating the Python environment ${dir} (${basePython} -m venv; first run only)`);
    const made = spawnSync(basePython, ['-m', 'venv', at], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (made.status !== 0) {
      throw new VenvError(
        `${basePython} -m venv ${dir} failed${made.error ? ` (${made.error.message})` : ''}: install Python 3 with its venv module, or pass --python /path/to/python3`,
      );
    }
  }
  log(`installing ${REQUIRED_PACKAGES.join(' and ')} into ${dir} with pip as configured on this machine (may take minutes)`);
  const pip = spawnSync(python, ['-m', 'pip', 'install', ...REQUIRED_PACKAGES], { stdio: ['ignore', 'inherit', 'inherit'] });
  const check = imports(python);
  if (pip.status !== 0 || !check.ok) {
    throw new VenvError(`pip install ${REQUIRED_PACKAGES.join(' ')} into ${dir} failed: ${check.detail.split('\n').pop() ?? ''}; fix pip's configuration (pip config list) or remove ${dir} and retry`);
  }
  return python;
}

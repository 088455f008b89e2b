// Old/new training-step ratio: bench/step-profile.ts run in this tree and in another
// (a git ref exported to a temporary folder, or a folder given), alternately, one
// process per measurement, so both see the same machine load.
// Run: node bin/run-ts.mjs bench/step-compare.ts --ref main [--rounds 5] [--steps 8] [--case soft|dense] [--threads N]
//      node bin/run-ts.mjs bench/step-compare.ts --baseline /path/to/other/tree
// The other tree gets this tree's bench/step-profile.ts if it has none.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepProfile } from './step-profile.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** `ref` of this repository exported (git archive) to a temporary folder that shares node_modules. */
function exportRef(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'moec-step-base-'));
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive "${ref}" | tar -x -C "${dir}"`]);
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'));
  return dir;
}

function runProfile(tree: string, name: string, steps: number, out: string, threads?: string): StepProfile {
  const extra = threads ? ['--threads', threads] : [];
  execFileSync(process.execPath, ['bin/run-ts.mjs', 'bench/step-profile.ts', '--case', name, '--steps', String(steps), '--json', out, ...extra], {
    cwd: tree,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return (JSON.parse(readFileSync(out, 'utf8')) as StepProfile[])[0]!;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const rounds = Number(get('--rounds') ?? 5);
  const steps = Number(get('--steps') ?? 8);
  const cases = get('--case') ? [get('--case')!] : ['soft', 'dense'];
  const ref = get('--ref');
  const given = get('--baseline');
  if (!ref && !given) throw new Error('step-compare: give --ref GIT_REF (e.g. main) or --baseline DIR');
  const baseline = given ?? exportRef(ref!);
  // The baseline measures with this tree's bench script (the same phases and counting).
  if (!given || !existsSync(join(baseline, 'bench/step-profile.ts'))) copyFileSync(join(ROOT, 'bench/step-profile.ts'), join(baseline, 'bench/step-profile.ts'));
  const scratch = mkdtempSync(join(tmpdir(), 'moec-step-json-'));
  const load0 = loadavg()[0]!;
  try {
    for (const name of cases) {
      const old: StepProfile[] = [];
      const now: StepProfile[] = [];
      for (let r = 0; r < rounds; r++) {
        // Alternate which tree goes first, so neither always runs right after the other's start-up.
        const order = r % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
        for (const which of order) {
          const p = runProfile(which === 'old' ? baseline : ROOT, name, steps, join(scratch, `${which}.json`), get('--threads'));
          (which === 'old' ? old : now).push(p);
        }
        const [o, n] = [old[r]!, now[r]!];
        process.stdout.write(
          `  ${name} round ${r + 1}: old ${o.medianMs.toFixed(1)} ms (min ${Math.min(...o.stepMs).toFixed(1)}), new ${n.medianMs.toFixed(1)} ms (min ${Math.min(...n.stepMs).toFixed(1)}), ` +
            `new/old ${(n.medianMs / o.medianMs).toFixed(3)} (of the minima ${(Math.min(...n.stepMs) / Math.min(...o.stepMs)).toFixed(3)})\n`,
        );
      }
      const ratios = now.map((p, i) => p.medianMs / old[i]!.medianMs);
      const minRatios = now.map((p, i) => Math.min(...p.stepMs) / Math.min(...old[i]!.stepMs));
      process.stdout.write(
        `${name}: old ${median(old.map((p) => p.medianMs)).toFixed(1)} ms (${old[0]!.totalKernels} kernels), ` +
          `new ${median(now.map((p) => p.medianMs)).toFixed(1)} ms (${now[0]!.totalKernels} kernels); ` +
          `new/old median ${median(ratios).toFixed(3)} (rounds ${ratios.map((x) => x.toFixed(2)).join(', ')}); ` +
          `of the per-round minima ${median(minRatios).toFixed(3)}; old min ${Math.min(...old.flatMap((p) => p.stepMs)).toFixed(1)} ms, new min ${Math.min(...now.flatMap((p) => p.stepMs)).toFixed(1)} ms\n`,
      );
    }
    process.stdout.write(`load average ${load0.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end; baseline ${ref ?? baseline}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (!given) rmSync(baseline, { recursive: true, force: true });
  }
}

await main();

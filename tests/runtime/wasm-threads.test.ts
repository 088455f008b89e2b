// The wasm backend on several threads (runtime/backends/wasm-threads.ts): the checks of
// the package text and of the environment, the thread-count parsing, and child
// processes (one thread count per process) that start 1 and 2 threads, train, resume
// across thread counts, and end by themselves.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultThreadCount, parseThreadCount } from '../../runtime/backend.ts';
import { environmentBlocker, inspectBundle, mainScriptForWorker, workerScriptForNode, type BundleFacts } from '../../runtime/backends/wasm-threads.ts';
import { UserError } from '../../diagnostics/fault.ts';

const require = createRequire(import.meta.url);
const bundleText = readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm'), 'utf8');

describe('the package text the threaded start relies on', () => {
  it('is found in the installed @tensorflow/tfjs-backend-wasm, with the module aliases its main script uses', () => {
    const facts = inspectBundle(bundleText);
    expect(typeof facts).not.toBe('string');
    const { aliases } = facts as BundleFacts;
    expect(aliases.get('require$$0')).toBe('fs');
    expect([...aliases.values()]).toContain('os');
  });

  it('names what is missing when the package changed', () => {
    const cases: [string, RegExp][] = [
      [bundleText.replaceAll('"var WasmBackendModuleThreadedSimd = "', '"var Other = "'), /no threaded main script/],
      [bundleText.replaceAll('importScripts(e.data.urlOrBlob)', 'load(e.data.urlOrBlob)'), /script import changed/],
      [bundleText.replaceAll('.cpus().length', '.hardwareConcurrency'), /no core count/],
      [bundleText.replace(/^var require\$\$1 = require\('path'\);$/m, 'var require$$1 = somethingElse;'), /require\$\$1 is not a plain require/],
    ];
    for (const [text, reason] of cases) expect(inspectBundle(text)).toMatch(reason);
  });

  it('defines the aliases before the main script and points the worker at its file', () => {
    const facts = inspectBundle(bundleText) as BundleFacts;
    const main = mainScriptForWorker('var WasmBackendModuleThreadedSimd = function(){ return require$$4.cpus() && commonjsGlobal; }', facts);
    expect(main).toMatch(/^var require\$\$4 = require\("os"\);var commonjsGlobal = globalThis;\n/);
    expect(() => mainScriptForWorker('var WasmBackendModuleThreadedSimd = require$$99;', facts)).toThrow(/require\$\$99/);
    const worker = workerScriptForNode('if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{importScripts(u)}', '/tmp/main "x".js');
    expect(worker).toBe('if(true){importScripts("/tmp/main \\"x\\".js")}else{importScripts(u)}');
    expect(() => workerScriptForNode('importScripts(somewhere)', '/tmp/m.js')).toThrow(/script import changed/);
  });
});

describe('the environment', () => {
  const ok = { sharedArrayBuffer: true, atomics: true, wasmThreads: true, wasmSimd: true };
  it('needs SharedArrayBuffer, Atomics, WebAssembly threads and SIMD', () => {
    expect(environmentBlocker(ok)).toBeUndefined();
    expect(environmentBlocker({ ...ok, sharedArrayBuffer: false })).toMatch(/no SharedArrayBuffer/);
    expect(environmentBlocker({ ...ok, atomics: false })).toMatch(/no Atomics/);
    expect(environmentBlocker({ ...ok, wasmThreads: false })).toMatch(/no threads/);
    expect(environmentBlocker({ ...ok, wasmSimd: false })).toMatch(/no SIMD/);
  });
});

describe('thread counts', () => {
  it('are integers ≥ 1; others are coded user errors naming their source', () => {
    expect(parseThreadCount('4', '--threads')).toBe(4);
    for (const bad of ['0', '-2', '1.5', 'many', '', '2x']) {
      const e = (() => {
        try {
          parseThreadCount(bad, '--threads');
        } catch (error) {
          return error;
        }
      })();
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).code).toBe('MOE0561');
      expect((e as UserError).message).toContain(`--threads expects an integer ≥ 1, got '${bad}'`);
    }
    expect(() => parseThreadCount('zero', 'MOEC_THREADS')).toThrow(expect.objectContaining({ code: 'MOE0562' }));
  });

  it('default to MOEC_THREADS, else every core', () => {
    expect(defaultThreadCount({ MOEC_THREADS: '3' })).toBe(3);
    expect(defaultThreadCount({})).toBeGreaterThanOrEqual(1);
    expect(() => defaultThreadCount({ MOEC_THREADS: 'all' })).toThrow(expect.objectContaining({ code: 'MOE0562' }));
  });
});

describe('child processes on 1 and 2 threads', () => {
  let child: string;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'moec-threads-'));
    const bundles = fileURLToPath(new URL('../../.tmp/', import.meta.url));
    mkdirSync(bundles, { recursive: true });
    child = join(mkdtempSync(join(bundles, 'threads-')), 'child.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./support/threads-child.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: child,
      packages: 'external',
      logLevel: 'error',
    });
  }, 60_000);
  afterAll(() => {
    rmSync(join(child, '..'), { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  interface ChildReport {
    threads: number;
    note: string | null;
    restored: boolean;
    product: string;
    step: number;
    weights: string;
  }

  /** Runs the child; it must end by itself (no process.exit) within the test's time. */
  function runChild(args: string[], nodeFlags: string[] = []): Promise<ChildReport> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [...nodeFlags, child, ...args], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => void (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => void (err += d.toString()));
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport) : reject(new Error(`child exited ${code}: ${err}`))));
    });
  }

  it('2 threads start, give bit-identical products and weights to 1 thread, resume across counts, and exit by themselves', async () => {
    const one = await runChild(['1', join(work, 'one'), '4']);
    const two = await runChild(['2', join(work, 'two'), '4']);
    expect(one).toMatchObject({ threads: 1, note: null, restored: true, step: 4 });
    expect(two).toMatchObject({ threads: 2, note: null, restored: true, step: 4 });
    // XNNPACK splits output tiles between threads; each tile's sums keep their order.
    expect(two.product).toBe(one.product);
    expect(two.weights).toBe(one.weights);

    // 2 steps on 2 threads, then resumed on 1 thread: the same weights as 4 steps in one go.
    const half = join(work, 'half');
    await runChild(['2', half, '2']);
    const resumed = await runChild(['1', half, '4', 'resume']);
    expect(resumed.step).toBe(4);
    expect(resumed.weights).toBe(one.weights);
  }, 180_000);

  it('without SharedArrayBuffer, 2 threads fall back to 1 and say why', async () => {
    const r = await runChild(['2', join(work, 'nosab'), '2'], ['--no-harmony-sharedarraybuffer']);
    expect(r.threads).toBe(1);
    expect(r.note).toMatch(/SharedArrayBuffer/);
    expect(r.restored).toBe(true);
  }, 120_000);
});

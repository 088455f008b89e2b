// kill -9 at random moments, then --resume, again and again: the final weights are
// bit-identical to an uninterrupted run's and metrics.jsonl holds each step's
// records exactly once (docs/training.md, "What a run folder guarantees").
// The trainer runs in a child process bundled with esbuild (fast starts); the
// kill delays come from a seed printed in the log, a different one each run.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCheckpoints, loadCheckpoint } from '../../runtime/checkpoint/checkpoint.ts';
import { readMetricsFile } from '../../runtime/train/metrics-log.ts';
import { uniformGenerator } from '../../runtime/executor/random.ts';

const KILLS = 20;
const STEPS = 40;
let work: string;
let child: string;
let specFile: string;

afterAll(() => rmSync(join(child, '..'), { recursive: true, force: true }));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'moec-kill-'));
  // Inside the repository (.tmp/ is ignored by git), so that the bundle's packages resolve from node_modules.
  const bundles = fileURLToPath(new URL('../../.tmp/', import.meta.url));
  mkdirSync(bundles, { recursive: true });
  child = join(mkdtempSync(join(bundles, 'kill-')), 'child.mjs');
  specFile = join(work, 'tiny.moe');
  writeFileSync(specFile, '# the tiny model of tests/train/tiny.ts\n');
  await build({
    entryPoints: [fileURLToPath(new URL('./support/kill-child.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: child,
    // tfjs bundled (one file parses faster than hundreds resolve); packages with data or native files stay outside.
    external: ['mnist', 'sharp', '@resvg/resvg-js', '@tensorflow/tfjs-backend-wasm', 'yaml', 'ajv'],
    banner: { js: "import { createRequire as __moecRequire } from 'node:module'; const require = __moecRequire(import.meta.url);" },
    logLevel: 'error',
  });
}, 60_000);

/** Where a kill lands: `afterSteps` new steps reported (0 = from the start), then `delayMs` more. */
interface KillPoint {
  readonly afterSteps: number;
  readonly delayMs: number;
}

/** Runs the child; with a kill point, SIGKILLs it there. Resolves with its stdout. */
function runChild(runDir: string, mode: 'fresh' | 'resume', kill?: KillPoint): Promise<{ out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, runDir, specFile, String(STEPS), mode], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = false;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const steps = (out.match(/^step /gm) ?? []).length;
      if (kill && !armed && out.includes('ready') && steps >= kill.afterSteps) {
        armed = true;
        setTimeout(() => p.kill('SIGKILL'), kill.delayMs);
      }
    });
    p.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ out, killed: signal === 'SIGKILL' });
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

// The executor's seeded generator (mulberry32), so a failing run replays from the printed seed.
const random = uniformGenerator;

describe('kill -9 and resume', () => {
  it(`after ${KILLS} kills at random moments, the weights equal an uninterrupted run's bit for bit and each record is there once`, async () => {
    const seed = Number(process.env.MOEC_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`kill -9 test: seed ${seed} (replay with MOEC_KILL_SEED=${seed})`);
    const rand = random(seed);

    const reference = join(work, 'reference');
    await runChild(reference, 'fresh');

    const killed = join(work, 'killed');
    let kills = 0;
    let started = false;
    const resumedAt: number[] = [];
    for (let attempt = 0; attempt < 200; attempt++) {
      const mode = started && listCheckpoints(join(killed, 'checkpoints')).length > 0 ? 'resume' : 'fresh';
      if (mode === 'fresh') rmRun(killed);
      // One kill in five lands while the child starts and opens the run folder; the others after 1–4 new steps plus
      // up to 15 ms: inside a step, a metrics append or a checkpoint save (one every step).
      const point = rand() < 0.2 ? { afterSteps: 0, delayMs: Math.floor(rand() * 400) } : { afterSteps: 1 + Math.floor(rand() * 4), delayMs: Math.floor(rand() * 15) };
      const r = await runChild(killed, mode, kills < KILLS ? point : undefined);
      started = true;
      if (r.killed) {
        kills++;
        const saved = listCheckpoints(join(killed, 'checkpoints'));
        resumedAt.push(saved.length > 0 ? loadCheckpoint(saved.at(-1)!).manifest.state.step : 0);
      }
      else if (r.out.includes(`done ${STEPS}`)) {
        verifyAgainstReference();
        if (kills >= KILLS) break;
        // A slow or loaded machine can finish the run before every kill landed: check this run, start another.
        started = false;
      }
    }
    console.log(`kill -9 test: latest checkpoint after each kill: ${resumedAt.join(' ')}`);
    expect(kills).toBeGreaterThanOrEqual(KILLS);
  }, 300_000);

  function verifyAgainstReference(): void {
    const reference = join(work, 'reference');
    const killed = join(work, 'killed');
    const last = (dir: string) => loadCheckpoint(listCheckpoints(join(dir, 'checkpoints')).at(-1)!);
    const a = last(reference);
    const b = last(killed);
    expect(b.manifest.state.step).toBe(STEPS);
    expect(b.manifest.sha256).toBe(a.manifest.sha256);
    expect(readFileSync(join(b.dir, 'tensors.bin')).equals(readFileSync(join(a.dir, 'tensors.bin')))).toBe(true);

    const keys = (dir: string) => readMetricsFile(join(dir, 'metrics.jsonl')).map((r) => `${r.split}:${r.step}`);
    const got = keys(killed);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(keys(reference));
    expect(got.filter((k) => k.startsWith('train:'))).toHaveLength(STEPS);
    // Same figures too (wall-clock fields aside).
    const strip = (dir: string) => readMetricsFile<Record<string, unknown> & { step: number; split: string }>(join(dir, 'metrics.jsonl')).map(({ wall_s: _w, images_per_s: _i, ...r }) => r);
    expect(strip(killed)).toEqual(strip(reference));
  }
});

function rmRun(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

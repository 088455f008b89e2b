// The wasm backend on 1 thread against N threads (default: every core). One thread count
// per process, so every figure comes from a fresh child process; rounds alternate the
// order (1, N, then N, 1, …) so both see the same load, and each child records the load
// average it started under. Medians over rounds, and the speed-up of each round.
//   node bin/run-ts.mjs bench/threads.ts [--rounds 3] [--threads N] [--cases matmul,vit-s,readme] [--quick] [--json FILE]
// Cases: matmul (a 1024² 2-D product), vit-s (a ViT-S/16-shaped dense training step:
// 196 tokens, width 384, mlp 1536, 6 heads, depth 4, batch 8, as bench/throughput.ts),
// readme (the README example's training step, examples/mnist_soft.moe at batch 64),
// readme-train (the README command itself, `moec train examples/mnist_soft.moe`, process
// wall time; minutes per round, so not in the default set).
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, inMemoryFiles } from '../compiler/compile.ts';
import { selectBackend } from '../runtime/backend.ts';
import { benchModel } from '../runtime/bench/model-bench.ts';
import { measure } from '../runtime/bench/timing.ts';
import { median } from '../runtime/bench/stats.ts';
import { compileBenchSpec, isMain, say } from './common.ts';
import { vitSSpec } from './throughput.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CASES = ['matmul', 'vit-s', 'readme', 'readme-train'] as const;
type CaseName = (typeof CASES)[number];

/** What one child measured. */
export interface ChildFigure {
  readonly case: CaseName;
  readonly asked: number;
  readonly threads: number;
  readonly note: string | null;
  /** Median milliseconds of the measured work (a product, a step, a whole command). */
  readonly ms: number;
  readonly what: string;
  /** 1-minute load average when the child started. */
  readonly load: number;
}

async function measureCase(name: CaseName, quick: boolean): Promise<{ ms: number; what: string }> {
  if (name === 'matmul') {
    const n = quick ? 512 : 1024;
    const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
    const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
    const t = await measure(() => tf.tidy(() => tf.matMul(a, b).dataSync()[0]), { reps: quick ? 5 : 15, warmup: 2 });
    tf.dispose([a, b]);
    return { ms: t.medianMs, what: `${n}² matMul (${((2 * n ** 3) / (t.medianMs / 1000) / 1e9).toFixed(1)} GFLOP/s)` };
  }
  if (name === 'vit-s') {
    const depth = quick ? 1 : 4;
    const batch = quick ? 2 : 8;
    const { graph } = compileBenchSpec(vitSSpec(depth), 'vit-s-threads.moe');
    const r = await benchModel(graph, { batch, reps: quick ? 2 : 4 });
    return { ms: r.train.timing.medianMs, what: `ViT-S/16-shaped training step, depth ${depth}, batch ${batch}` };
  }
  const file = join(ROOT, 'examples', 'mnist_soft.moe');
  const c = compile(file, { readFile: inMemoryFiles({ [file]: readFileSync(file, 'utf8') }), train: false });
  if (!c.ok) throw new Error(`examples/mnist_soft.moe does not check`);
  const batch = quick ? 16 : 64;
  const r = await benchModel(c.graph(), { batch, reps: quick ? 3 : 8 });
  return { ms: r.train.timing.medianMs, what: `README example training step (examples/mnist_soft.moe), batch ${batch}` };
}

/** Child: one case on one thread count; prints one JSON line. */
async function child(name: CaseName, threads: number, quick: boolean): Promise<void> {
  const load = os.loadavg()[0]!;
  const b = await selectBackend('wasm', { threads });
  const { ms, what } = await measureCase(name, quick);
  const figure: ChildFigure = { case: name, asked: threads, threads: b.threads, note: b.threadNote ?? null, ms, what, load };
  process.stdout.write(JSON.stringify(figure) + '\n');
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

/** The README command in its own process: wall time of the whole command. */
async function readmeTrain(threads: number, quick: boolean): Promise<ChildFigure> {
  const load = os.loadavg()[0]!;
  const out = mkdtempSync(join(os.tmpdir(), 'moec-threads-readme-'));
  const t0 = performance.now();
  try {
    const log = await run([join(ROOT, 'bin', 'moec.mjs'), 'train', 'examples/mnist_soft.moe', '--threads', String(threads), '--out', join(out, 'run'), ...(quick ? ['--steps', '20'] : [])]);
    const ms = performance.now() - t0;
    const header = /backend wasm, (\d+) threads?(?:: ([^(]*))?/.exec(log);
    const accuracy = /test accuracy ([\d.]+%)/.exec(log)?.[1] ?? 'n/a';
    return { case: 'readme-train', asked: threads, threads: Number(header?.[1] ?? NaN), note: header?.[2]?.trim() || null, ms, what: `moec train examples/mnist_soft.moe${quick ? ' --steps 20' : ''} (whole command; test accuracy ${accuracy})`, load };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function oneFigure(name: CaseName, threads: number, quick: boolean): Promise<ChildFigure> {
  if (name === 'readme-train') return readmeTrain(threads, quick);
  const out = await run([join(ROOT, 'bin', 'run-ts.mjs'), 'bench/threads.ts', '--child', name, '--threads', String(threads), ...(quick ? ['--quick'] : [])]);
  return JSON.parse(out.trim().split('\n').at(-1)!) as ChildFigure;
}

export interface CaseResult {
  readonly case: CaseName;
  readonly what: string;
  readonly one: readonly ChildFigure[];
  readonly many: readonly ChildFigure[];
  /** median(1-thread ms) / median(N-thread ms). */
  readonly speedup: number;
  /** Each round's 1-thread ms / N-thread ms. */
  readonly roundSpeedups: readonly number[];
}

export function summarizeCase(name: CaseName, one: readonly ChildFigure[], many: readonly ChildFigure[]): CaseResult {
  const speedup = median(one.map((f) => f.ms)) / median(many.map((f) => f.ms));
  return { case: name, what: one[0]?.what ?? '', one, many, speedup, roundSpeedups: one.map((f, i) => f.ms / many[i]!.ms) };
}

export function renderCase(r: CaseResult, threads: number): string {
  const ms = (fs: readonly ChildFigure[]) => median(fs.map((f) => f.ms));
  const loads = [...r.one, ...r.many].map((f) => f.load);
  const notes = [...new Set(r.many.map((f) => f.note).filter((n): n is string => n !== null))];
  return [
    `${r.case}: ${r.what.replace(/ \(\d[\d.]* GFLOP\/s\)/, '')}`,
    `  1 thread: ${ms(r.one).toFixed(1)} ms, ${threads} threads (in use: ${[...new Set(r.many.map((f) => f.threads))].join('/')}): ${ms(r.many).toFixed(1)} ms (medians of ${r.one.length} rounds)`,
    `  speed-up ${r.speedup.toFixed(2)}× (rounds: ${r.roundSpeedups.map((s) => s.toFixed(2)).join(', ')}); load average 1 min ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`,
    ...notes.map((n) => `  note: ${n}`),
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const childCase = get('--child') as CaseName | undefined;
  const threads = Number(get('--threads') ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length));
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads expects an integer ≥ 1, got ${get('--threads')}`);
  if (childCase) return child(childCase, threads, quick);
  const rounds = Number(get('--rounds') ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds expects an integer ≥ 1, got ${get('--rounds')}`);
  const cases = (get('--cases')?.split(',') ?? ['matmul', 'vit-s', 'readme']) as CaseName[];
  for (const c of cases) if (!CASES.includes(c)) throw new Error(`unknown case '${c}' (one of ${CASES.join(', ')})`);
  say(`wasm backend, 1 thread against ${threads} threads; ${rounds} interleaved rounds of separate processes; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), Node ${process.version}`);
  const results: CaseResult[] = [];
  for (const c of cases) {
    const one: ChildFigure[] = [];
    const many: ChildFigure[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so a load that changes during the round weighs on both.
      for (const t of r % 2 === 0 ? [1, threads] : [threads, 1]) (t === 1 ? one : many).push(await oneFigure(c, t, quick));
    }
    const result = summarizeCase(c, one, many);
    results.push(result);
    say(renderCase(result, threads));
  }
  const json = get('--json');
  if (json) writeFileSync(json, JSON.stringify({ threads, rounds, results }, null, 1) + '\n');
}

if (isMain(import.meta.url)) await main(process.argv.slice(2));

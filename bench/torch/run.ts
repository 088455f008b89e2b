// `npm run bench:torch`: moec against PyTorch on the same CPU, the same model and
// the same work. For each case (cases.ts) moec compiles the op graph; a PyTorch
// interpreter of that graph (moec_torch/, one function per op kind) builds the
// same model from moec's initial parameters (handoff.ts); the bench asserts equal
// parameter counts, equal inference logits and equal first training losses, then
// times training steps and inference in interleaved rounds: moec (one worker
// process per thread count, moec-worker.ts) and PyTorch (one worker, its thread
// count set per request, torch_worker.py) at 1 thread and at all cores.
// Options: args.ts (--help). Not part of `npm test`: it needs Python and torch.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES, CASE_NAMES, DEFAULT_CASES, ROUTER_CASES, compileCase, learningRates, type CompiledCase } from './cases.ts';
import { parseTorchBenchArgs, USAGE, UsageError, type TorchBenchOptions } from './args.ts';
import { ensureVenv, VenvError } from './venv.ts';
import { JsonLineWorker, WorkerError, type Reply } from './protocol.ts';
import { activeRandomOps, compareLogits, compareLosses, compareParameterCounts, LOGIT_TOLERANCE, LOSS_TOLERANCE, writeHandoffGraph, type LoadedModelReport } from './handoff.ts';
import { compareEngines, formatComparison, formatProfile, type ComparisonRow, type EngineRounds, type ProfileRow } from './report.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The figures disagree: the two sides do not run the same model. */
class MismatchError extends Error {}

const say = (text = '') => process.stdout.write(text + '\n');
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');

interface Engine {
  /** `moec@1`, `torch@2`. */
  readonly label: string;
  readonly worker: JsonLineWorker;
  readonly threads: number;
  /** Key of the model state it advances (torch@1 and torch@N share one model). */
  readonly model: string;
}

function numbers(reply: Reply, key: string): number[] {
  const v = reply[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new WorkerError('bench', `a reply's ${key} is not a list of numbers`, true);
  return v as number[];
}

function modelReport(reply: Reply): LoadedModelReport {
  return { params: Number(reply.params), allParams: Number(reply.allParams), tensors: Number(reply.tensors) };
}

interface CaseResult {
  readonly name: string;
  readonly what: string;
  readonly batch: number;
  readonly params: number;
  readonly optimizer: unknown;
  readonly schedule: unknown;
  readonly check: Record<string, unknown>;
  readonly rounds: Record<string, EngineRounds>;
  readonly rows: ComparisonRow[];
  readonly profile?: { moec: unknown; torch: unknown };
}

async function runCase(c: CompiledCase, options: TorchBenchOptions, workdir: string, torch: JsonLineWorker, moecWorkers: Map<number, JsonLineWorker>, moecThreadsFor: Map<number, number>): Promise<CaseResult> {
  const batch = c.train.batch;
  const dir = writeHandoffGraph(join(workdir, c.name), c.graph);
  const common = { dir, optimizer: c.train.optimizer, loss: c.train.loss, batch, seed: c.train.seed, dataSeed: 1 };
  const moecCounts = [...new Set(moecThreadsFor.values())];
  const moec1 = moecWorkers.get(1)!;
  say(`\n${c.name}: ${c.what}, batch ${batch}`);
  const moecLoaded = modelReport(await moec1.request({ cmd: 'load', ...common, writeHandoff: true }));
  for (const t of moecCounts) if (t !== 1) await moecWorkers.get(t)!.request({ cmd: 'load', ...common });
  const torchLoaded = await torch.request({ cmd: 'load', dir, optimizer: c.train.optimizer, loss: c.train.loss });
  const counts = compareParameterCounts(c.graph, moecLoaded, modelReport(torchLoaded));
  if (!counts.equal) throw new MismatchError(`${c.name}: ${counts.text}`);
  say(`  parameters: ${counts.text}; graph ${c.graph.nodes.length} nodes`);

  const steps = { [`moec@1`]: 0, torch: 0 } as Record<string, number>;
  const lrs = (model: string, count: number) => {
    const from = steps[model] ?? 0;
    steps[model] = from + count;
    return learningRates(c.train.optimizer, c.train.schedule, from, count, c.totalSteps);
  };
  const random = activeRandomOps(c.graph);
  const moecLosses = numbers(await moec1.request({ cmd: 'train', lrs: lrs('moec@1', options.checkSteps) }), 'losses');
  const torchLosses = numbers(await torch.request({ cmd: 'train', lrs: lrs('torch', options.checkSteps), threads: 1 }), 'losses');
  const losses = compareLosses(moecLosses, torchLosses);
  const shown = (xs: number[]) => xs.map((x) => x.toFixed(7)).join(', ');
  say(`  first ${options.checkSteps} training losses: moec ${shown(moecLosses)}`);
  say(`                              torch ${shown(torchLosses)}  (max relative difference ${losses.worst.toExponential(2)}, tolerance ${LOSS_TOLERANCE})`);
  if (random.length > 0) say(`  note: ${random.length} random ops are active in training (${random.slice(0, 3).join(', ')}…): PyTorch draws its own numbers, losses are not compared`);
  else if (!losses.equal) throw new MismatchError(`${c.name}: the first training losses differ by ${losses.worst.toExponential(2)} (relative), more than ${LOSS_TOLERANCE}`);
  // The updated weights (the head starts at zero, so initial logits would all be 0): inference logits.
  const moecLogits = numbers(await moec1.request({ cmd: 'logits' }), 'data');
  const torchLogits = numbers(await torch.request({ cmd: 'logits', threads: 1 }), 'data');
  const logits = compareLogits(moecLogits, torchLogits);
  say(`  inference logits after those steps: max |moec − torch| / max(1, max |logit|) = ${logits.worst.toExponential(2)} (tolerance ${LOGIT_TOLERANCE})`);
  if (!logits.equal && random.length === 0) throw new MismatchError(`${c.name}: the inference logits differ by ${logits.worst.toExponential(2)} (relative), more than ${LOGIT_TOLERANCE}`);
  const threaded: Record<string, unknown> = {};
  for (const t of moecCounts) {
    if (t === 1) continue;
    const w = moecWorkers.get(t)!;
    const s = compareLosses(moecLosses, numbers(await w.request({ cmd: 'train', lrs: lrs(`moec@${t}`, options.checkSteps) }), 'losses'));
    const l = compareLogits(moecLogits, numbers(await w.request({ cmd: 'logits' }), 'data'));
    say(`  moec at ${t} threads vs 1 thread: logits ${l.worst.toExponential(2)}, losses ${s.worst.toExponential(2)} (relative)`);
    threaded[`moec@${t}`] = { logits: l.worst, losses: s.worst };
  }

  const engines: Engine[] = [];
  for (const t of options.threads) {
    const mt = moecThreadsFor.get(t)!;
    if (!engines.some((e) => e.label === `moec@${mt}`)) engines.push({ label: `moec@${mt}`, worker: moecWorkers.get(mt)!, threads: mt, model: `moec@${mt}` });
    engines.push({ label: `torch@${t}`, worker: torch, threads: t, model: 'torch' });
  }
  const rounds: Record<string, EngineRounds> = Object.fromEntries(engines.map((e) => [e.label, { trainMs: [], inferMs: [] }]));
  const timeOnce = async (e: Engine, record: boolean) => {
    const train = numbers(await e.worker.request({ cmd: 'train', lrs: lrs(e.model, record ? options.steps : 1), threads: e.threads }), 'ms');
    const infer = numbers(await e.worker.request({ cmd: 'infer', reps: record ? options.inferReps : 1, threads: e.threads }), 'ms');
    if (record) {
      rounds[e.label]!.trainMs.push(mean(train));
      rounds[e.label]!.inferMs.push(mean(infer));
    }
  };
  for (const e of engines) await timeOnce(e, false); // warm-up: caches, thread pools
  for (let r = 0; r < options.rounds; r++) {
    // Alternating order, so that neither side always runs right after the other.
    const order = r % 2 === 0 ? engines : [...engines].reverse();
    for (const e of order) await timeOnce(e, true);
    const line = engines.map((e) => `${e.label} ${rounds[e.label]!.trainMs.at(-1)!.toFixed(0)} ms`).join(', ');
    say(`  round ${r + 1}/${options.rounds} (train step): ${line}; load ${load()}`);
  }
  const rows = options.threads.map((t) => {
    const mt = moecThreadsFor.get(t)!;
    return compareEngines(c.name, batch, t, mt, rounds[`moec@${mt}`]!, rounds[`torch@${t}`]!);
  });

  let profile: CaseResult['profile'];
  if (options.profile) {
    const lr = learningRates(c.train.optimizer, c.train.schedule, 0, 1, c.totalSteps)[0];
    const m = await moec1.request({ cmd: 'profile', lr, top: 12 });
    const p = await torch.request({ cmd: 'profile', lr, threads: 1, top: 12 });
    say(`\n  moec, one training step at 1 thread: ${Number(m.calls)} kernel calls, ${Number(m.kernelMs).toFixed(0)} ms in kernels (tf.profile; ${Number(m.wallMs).toFixed(0)} ms wall with profiling)`);
    say(indent(formatProfile('moec kernel (tfjs)', m.ops as ProfileRow[])));
    say(`  PyTorch, the same step at 1 thread: ${Number(p.totalMs).toFixed(0)} ms self CPU time (torch.profiler)`);
    say(indent(formatProfile('torch op', p.ops as ProfileRow[])));
    profile = { moec: m, torch: p };
  }
  return {
    name: c.name,
    what: c.what,
    batch,
    params: moecLoaded.params,
    optimizer: c.train.optimizer,
    schedule: c.train.schedule,
    check: { parameters: counts.text, logitsRelative: logits.worst, moecLosses, torchLosses, lossesRelative: losses.worst, randomOps: random.length, threaded },
    rounds,
    rows,
    ...(profile ? { profile } : {}),
  };
}

const indent = (text: string) => text.split('\n').map((l) => `  ${l}`).join('\n');

async function main(argv: readonly string[]): Promise<number> {
  const cores = availableParallelism();
  const options = parseTorchBenchArgs(argv, { cases: CASE_NAMES, defaults: DEFAULT_CASES, routers: ROUTER_CASES, cores });
  if (options.help) {
    say(USAGE);
    return 0;
  }
  const cases = options.cases.map((name) => compileCase(CASES.find((c) => c.name === name)!));
  const python = ensureVenv(resolve(ROOT, options.venv), options.python, (l) => say(l));
  const workdir = mkdtempSync(join(tmpdir(), 'moec-bench-torch-'));
  const workers: JsonLineWorker[] = [];
  try {
    const torch = new JsonLineWorker('torch worker', python, [join(ROOT, 'bench', 'torch', 'torch_worker.py')], { echoStderr: true });
    workers.push(torch);
    const torchHello = await torch.request({ cmd: 'hello' });
    const moecWorkers = new Map<number, JsonLineWorker>();
    const moecThreadsFor = new Map<number, number>();
    const moecHello: Record<number, Reply> = {};
    for (const t of [1, ...options.threads.filter((t) => t !== 1)]) {
      const w = new JsonLineWorker(`moec worker (${t} threads)`, process.execPath, [join(ROOT, 'bin', 'run-ts.mjs'), join(ROOT, 'bench', 'torch', 'moec-worker.ts'), '--threads', String(t), '--backend', options.backend], { cwd: ROOT, echoStderr: true });
      workers.push(w);
      const hello = await w.request({ cmd: 'hello' });
      const actual = Number(hello.threads);
      if (t > 1 && actual < t) {
        const why = `its ${String(hello.backend)} backend runs ${actual} thread(s)${hello.threadNote ? `: ${String(hello.threadNote)}` : ''}`;
        if (options.threadsExplicit) throw new UsageError(`moec cannot run at ${t} threads: ${why}; run with --threads 1, or without --threads to compare PyTorch at ${t} threads against moec at ${actual}`);
        say(`note: moec at ${t} threads is not available (${why}); PyTorch at ${t} threads is compared with moec at ${actual}`);
        moecThreadsFor.set(t, actual);
        if (actual === 1 || moecWorkers.has(actual)) {
          await w.close();
          workers.pop();
        } else {
          moecWorkers.set(actual, w);
          moecHello[actual] = hello;
        }
        continue;
      }
      moecWorkers.set(t, w);
      moecThreadsFor.set(t, t);
      moecHello[t] = hello;
    }
    if (!options.threads.includes(1)) moecThreadsFor.delete(1);
    say(`moec: tfjs ${String(moecHello[1]!.tfjs)}, ${String(moecHello[1]!.backend)} backend (${String(moecHello[1]!.reason)}); moec workers at ${[...moecWorkers.keys()].join(' and ')} thread(s)`);
    say(`PyTorch ${String(torchHello.torch)} (Python ${String(torchHello.python)}, numpy ${String(torchHello.numpy)}); ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}); load ${load()}`);
    say(`rounds ${options.rounds}, ${options.steps} training step(s) and ${options.inferReps} inference call(s) per engine per round, threads ${options.threads.join(', ')}`);
    const loadBefore = loadavg();
    const results: CaseResult[] = [];
    for (const c of cases) results.push(await runCase(c, options, workdir, torch, moecWorkers, moecThreadsFor));
    const rows = results.flatMap((r) => r.rows);
    say('\nmoec / PyTorch (medians over rounds; ratio > 1: moec slower; ✓/✗: issue 12 target, training ≤ 2.5× MNIST cases, ≤ 1.5× cifar_soft16, inference ≤ 2.5×)');
    say(formatComparison(rows));
    const loadAfter = loadavg();
    say(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(', ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min)`);
    const out = resolve(ROOT, options.json);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          command: `npm run bench:torch${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
          machine: { cores, cpu: cpus()[0]?.model, loadBefore, loadAfter },
          versions: { node: process.version, tfjs: moecHello[1]!.tfjs, backend: moecHello[1]!.backend, torch: torchHello.torch, python: torchHello.python },
          options,
          moecThreads: Object.fromEntries(moecThreadsFor),
          cases: results,
        },
        null,
        2,
      ) + '\n',
    );
    say(`results: ${options.json}`);
    return 0;
  } finally {
    await Promise.all(workers.map((w) => w.close().catch(() => w.kill())));
    rmSync(workdir, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError || e instanceof VenvError || e instanceof MismatchError || (e instanceof WorkerError && !e.bug)) {
    process.stderr.write(`bench:torch: ${e.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`bench:torch: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  }
}

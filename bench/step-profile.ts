// One training step of the README example (examples/mnist_soft.moe, batch 64) and of
// its dense twin, on the wasm backend: step time (forward + backward + AdamW, what
// `moec train` does per batch), and the tfjs kernels it calls, counted per phase
// (forward, backward, optimiser update) by wrapping the engine's runKernel.
// Run: node bin/run-ts.mjs bench/step-profile.ts [--steps 10] [--case soft|dense] [--threads N] [--json FILE] [--where]
// (--where: for the most frequent kernels, the moec source line that called them.)
// bench/step-compare.ts runs this script in two trees alternately (old/new ratio).
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createGraphModel } from '../runtime/executor/graph-model.ts';
import { createTrainStep, syntheticBatch } from '../runtime/bench/step.ts';
import { selectBackend } from '../runtime/backend.ts';
import { compileBenchSpec, isMain, say } from './common.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The README example, and the same ViT with every block dense. */
export function stepCases(): { name: string; spec: string }[] {
  const soft = readFileSync(join(ROOT, 'examples/mnist_soft.moe'), 'utf8');
  const dense = soft.replace(/^\s*blocks last 2:.*$/m, '');
  if (dense === soft) throw new Error('examples/mnist_soft.moe no longer has a `blocks last 2:` line; update bench/step-profile.ts');
  return [
    { name: 'soft', spec: soft },
    { name: 'dense', spec: dense },
  ];
}

type Phase = 'forward' | 'backward' | 'update';

export interface StepProfile {
  readonly case: string;
  readonly batch: number;
  readonly steps: number;
  /** Step times in ms (each after the warm-up). */
  readonly stepMs: number[];
  readonly medianMs: number;
  /** Kernel calls of one step, per phase and kernel name. */
  readonly kernels: Record<Phase, Record<string, number>>;
  readonly totalKernels: number;
  readonly where?: Record<string, Record<string, number>>;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The first stack frame in this repository outside tfjs and this file: who asked for the kernel. */
function caller(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(2);
  for (const l of lines) {
    if (l.includes('node_modules') || l.includes('step-profile.ts') || !l.includes(ROOT)) continue;
    const m = /\((.*):(\d+):\d+\)$/.exec(l) ?? /at (.*):(\d+):\d+$/.exec(l);
    if (m) return `${m[1]!.slice(ROOT.length + 1)}:${m[2]}`;
  }
  return '?';
}

export async function profileStep(name: string, spec: string, batch: number, steps: number, where: boolean): Promise<StepProfile> {
  const { graph } = compileBenchSpec(spec, `${name}.moe`);
  const model = createGraphModel(graph, { seed: 0 });
  const data = syntheticBatch(model, batch, 1);
  const runner = createTrainStep(model, data);
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const original = engine.runKernel;
  const counts: Record<Phase, Record<string, number>> = { forward: {}, backward: {}, update: {} };
  const sites: Record<string, Record<string, number>> = {};
  let phase: Phase | undefined;
  let countInto: Record<string, number> | undefined;
  try {
    runner.step();
    runner.step();
    const stepMs: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t = performance.now();
      runner.step();
      stepMs.push(performance.now() - t);
    }
    // One counted step: phases told apart by wrapping the model's forward and the optimiser's apply.
    const forward = model.forward.bind(model);
    (model as { forward: typeof model.forward }).forward = (images, options) => {
      if (phase === 'update') return forward(images, options);
      phase = 'forward';
      try {
        return forward(images, options);
      } finally {
        phase = 'backward';
      }
    };
    engine.runKernel = function (this: unknown, kernel: string, ...rest: unknown[]) {
      if (phase) {
        const table = countInto ?? counts[phase];
        table[kernel] = (table[kernel] ?? 0) + 1;
        if (where && !countInto) {
          const site = (sites[`${phase} ${kernel}`] ??= {});
          const c = caller();
          site[c] = (site[c] ?? 0) + 1;
        }
      }
      return original.call(this, kernel, ...rest);
    };
    // Forward + backward, then a whole step: the update is the difference.
    runner.gradients();
    const fb = { ...counts.forward, ...Object.fromEntries(Object.entries(counts.backward).map(([k, v]) => [k, (counts.forward[k] ?? 0) + v])) };
    const whole: Record<string, number> = {};
    const [fwd, bwd] = [counts.forward, counts.backward];
    counts.forward = {};
    counts.backward = {};
    phase = 'update';
    countInto = whole;
    runner.step();
    countInto = undefined;
    for (const [k, v] of Object.entries(whole)) {
      const rest = v - (fb[k] ?? 0);
      if (rest > 0) counts.update[k] = rest;
    }
    counts.forward = fwd;
    counts.backward = bwd;
    phase = undefined;
    const totalKernels = Object.values(counts).reduce((a, t) => a + Object.values(t).reduce((x, y) => x + y, 0), 0);
    return { case: name, batch, steps, stepMs, medianMs: median(stepMs), kernels: counts, totalKernels, ...(where ? { where: sites } : {}) };
  } finally {
    engine.runKernel = original;
    runner.dispose();
    tf.dispose([data.images, data.labels]);
    model.dispose();
  }
}

function top(table: Record<string, number>, n: number): string {
  return Object.entries(table)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, c]) => `${k} ${c}`)
    .join(', ');
}

export function renderStepProfile(p: StepProfile): string {
  const sum = (t: Record<string, number>) => Object.values(t).reduce((a, b) => a + b, 0);
  const out = [
    `${p.case}: batch ${p.batch}, step ${p.medianMs.toFixed(1)} ms (median of ${p.steps}; min ${Math.min(...p.stepMs).toFixed(1)} ms), ${p.totalKernels} kernel calls per step`,
  ];
  for (const phase of ['forward', 'backward', 'update'] as const) {
    out.push(`  ${phase.padEnd(8)} ${String(sum(p.kernels[phase])).padStart(5)}: ${top(p.kernels[phase], 10)}`);
  }
  if (p.where) {
    const all = Object.entries(p.where)
      .map(([k, sites]) => [k, sum(sites), sites] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 14);
    for (const [k, n, sites] of all) out.push(`    ${k} ${n}: ${top(sites, 4)}`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  Error.stackTraceLimit = 60;
  const argv = process.argv.slice(2);
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const steps = Number(get('--steps') ?? 10);
  const batch = Number(get('--batch') ?? 64);
  const only = get('--case');
  const json = get('--json');
  const threads = get('--threads') ? Number(get('--threads')) : undefined;
  const backend = await selectBackend('wasm', threads !== undefined ? { threads } : {});
  if (backend.name !== 'wasm') throw new Error(`bench/step-profile.ts measures the wasm backend; got ${backend.name}`);
  const results: StepProfile[] = [];
  for (const c of stepCases()) {
    if (only && c.name !== only) continue;
    const p = await profileStep(c.name, c.spec, batch, steps, argv.includes('--where'));
    results.push(p);
    if (!json) say(renderStepProfile(p));
  }
  if (json) writeFileSync(json, JSON.stringify(results, null, 2));
}

if (isMain(import.meta.url)) await main();

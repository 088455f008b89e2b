// Where the time goes. Two views:
//  * forward, per graph op kind and per encoder block: a dedicated profiling pass
//    that runs the graph's nodes one by one with the runtime's own kernels and
//    times each call, reading the result back (so asynchronous backends finish);
//  * the whole training step (forward + backward + update), per tfjs kernel, from
//    tf.profile (kernel names such as MatMul, BatchMatMul, Transpose).
import * as tf from '@tensorflow/tfjs';
import type { GraphModel } from '../api.ts';
import { activeProfile, kernelsFor } from '../backends/index.ts';
import { ExecutionContext } from '../executor/graph-model.ts';
import { concreteDim } from '../../compiler/graph/dims.ts';
import type { Clock } from './timing.ts';
import { wallClock } from './timing.ts';

export interface NodeTiming {
  readonly id: string;
  readonly op: string;
  readonly scope: string;
  readonly ms: number;
}

export interface TimeShare {
  readonly name: string;
  readonly ms: number;
  readonly calls: number;
  /** Fraction of the total, 0..1. */
  readonly share: number;
}

/** `block_3/attention/…` → `block_3`; anything outside the encoder blocks → `outside blocks`. */
export function blockOfScope(scope: string): string {
  const m = /^(block_\d+)(\/|$)/.exec(scope);
  return m ? m[1]! : 'outside blocks';
}

/** Sums timings by a key, largest first, with each entry's share of the total. */
export function aggregate<T>(items: readonly T[], key: (t: T) => string, ms: (t: T) => number): TimeShare[] {
  const sums = new Map<string, { ms: number; calls: number }>();
  for (const item of items) {
    const k = key(item);
    const entry = sums.get(k) ?? { ms: 0, calls: 0 };
    entry.ms += ms(item);
    entry.calls += 1;
    sums.set(k, entry);
  }
  const total = [...sums.values()].reduce((a, e) => a + e.ms, 0);
  return [...sums]
    .map(([name, e]) => ({ name, ms: e.ms, calls: e.calls, share: total > 0 ? e.ms / total : 0 }))
    .sort((a, b) => b.ms - a.ms || a.name.localeCompare(b.name));
}

/**
 * Runs the model's graph node by node on `images` (inference mode) and times every
 * kernel call. On asynchronous backends (webgpu) each call also reads its output
 * back, so the time is the kernel's; that serialises everything, so use the
 * profile for shares, not for throughput.
 */
export function profileForward(model: GraphModel, images: tf.Tensor4D, clock: Clock = wallClock): NodeTiming[] {
  const graph = model.graph;
  const batch = images.shape[0];
  const ctx = new ExecutionContext(false, 0, 0, batch);
  const timings: NodeTiming[] = [];
  // A backend whose kernels finish before the call returns needs no read-back to time them.
  const profile = activeProfile();
  const readBack = !profile.synchronous;
  const kernels = kernelsFor(profile);
  tf.tidy(() => {
    const values = new Map<string, tf.Tensor>();
    for (const node of graph.nodes) {
      if (node.op === 'input') {
        values.set(node.id, images);
        continue;
      }
      if (node.op === 'param') {
        const v = model.variables.get(String(node.attrs.name));
        if (!v) throw new Error(`profile: the model has no variable ${String(node.attrs.name)}`);
        values.set(node.id, v);
        continue;
      }
      if (node.op === 'constant') {
        values.set(node.id, tf.scalar(Number(node.attrs.value), 'float32'));
        continue;
      }
      const kernel = kernels.get(node.op);
      if (!kernel) throw new Error(`profile: no kernel for op '${node.op}' (node ${node.id})`);
      const inputs = node.inputs.map((id) => values.get(id)!);
      ctx.node = node;
      ctx.outputShape = node.shape.map((d) => concreteDim(d, batch));
      const start = clock();
      const out = kernel(inputs, node.attrs, ctx);
      if (readBack) out.dataSync();
      timings.push({ id: node.id, op: node.op, scope: node.scope, ms: clock() - start });
      values.set(node.id, out);
    }
  });
  return timings;
}

export interface KernelProfile {
  readonly kernels: TimeShare[];
  /** Peak bytes held by tensors during the profiled call (tf.profile). */
  readonly peakBytes: number;
}

const UNNAMED_SCOPE = 'unnamed scope';

/** tfjs runs every matMul as BatchMatMul; 2-D and batched products run at very different speeds on wasm, so tell them apart. */
export function kernelLabel(name: string, inputShapes: readonly (readonly number[] | undefined)[]): string {
  if (name !== 'BatchMatMul') return name;
  const batched = inputShapes.some((s) => s !== undefined && s.length > 2);
  return batched ? 'BatchMatMul (batched)' : 'BatchMatMul (2-D)';
}

/** tf.profile of one call (e.g. a training step), kernel times summed by tfjs kernel name. */
export async function profileKernels(work: () => unknown): Promise<KernelProfile> {
  const env = tf.env();
  const checking = env.getBool('CHECK_COMPUTATION_FOR_ERRORS');
  env.set('CHECK_COMPUTATION_FOR_ERRORS', false); // it would read back every kernel's output
  try {
    const info = await tf.profile(() => {
      work();
      return [] as tf.Tensor[];
    });
    // Custom-gradient ops appear as 'unnamed scope' records whose time also contains
    // the kernels they run (recorded separately): leave them out to avoid counting twice.
    const records = info.kernels.filter((k) => k.name !== UNNAMED_SCOPE);
    const kernels = await Promise.all(records.map(async (k) => ({ name: kernelLabel(k.name, k.inputShapes), ms: Number(await k.kernelTimeMs) || 0 })));
    return { kernels: aggregate(kernels, (k) => k.name, (k) => k.ms), peakBytes: info.peakBytes };
  } finally {
    env.set('CHECK_COMPUTATION_FOR_ERRORS', checking);
  }
}

// Runs the model in evaluation mode and reads back, per MoE block, the dispatch
// and combine tensors the executor computed (graph v2 named outputs
// `block_<i>/dispatch`, `block_<i>/combine`), plus the predicted class.
import * as tf from '@tensorflow/tfjs';
import type { GraphModel } from '../api.ts';
import { RuntimeFault } from '../train/fault.ts';
import type { RoutingBatch } from './analyse.ts';
import type { PatchGrid, RoutedBlock } from './layout.ts';

export interface CapturedBatch {
  readonly images: number;
  /** Block index → its dispatch and combine weights. */
  readonly blocks: ReadonlyMap<number, RoutingBatch>;
  /** Per image: the arg-max class. */
  readonly predicted: Int32Array;
}

const outputNames = (b: RoutedBlock) => [`block_${b.index}/dispatch`, `block_${b.index}/combine`] as const;

/** The smallest number of images whose tokens fill whole routing groups in every block. */
export function imagesPerGroup(blocks: readonly RoutedBlock[], grid: PatchGrid): number {
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  let m = 1;
  for (const b of blocks) {
    const need = b.group / gcd(b.group, grid.tokens);
    m = (m * need) / gcd(m, need);
  }
  return m;
}

/** Checks that the graph names the routing tensors of every block (graph v2). */
export function checkRoutingOutputs(model: GraphModel, blocks: readonly RoutedBlock[]): void {
  const outputs = model.graph.outputs;
  for (const b of blocks)
    for (const name of outputNames(b))
      if (!Object.hasOwn(outputs, name))
        throw new RuntimeFault('MOE0707', `the graph of model ${model.graph.meta.model} has no output '${name}', so its routing cannot be read`, 'recompile the spec (moec compile) or retrain with this version of moec');
}

/** One forward pass over `count` images (H·W·C floats each) in evaluation mode. */
export async function captureRouting(model: GraphModel, pixels: Float32Array, count: number, grid: PatchGrid, blocks: readonly RoutedBlock[], step: number): Promise<CapturedBatch> {
  const names = blocks.flatMap(outputNames);
  const out = tf.tidy(() => {
    const x = tf.tensor4d(pixels, [count, ...grid.image]);
    const r = model.forward(x, { training: false, step, outputs: names });
    const tensors: Record<string, tf.Tensor> = { '\u0000predicted': tf.argMax(r.logits, 1) };
    for (const name of names) {
      const t = r.outputs.get(name);
      if (t) tensors[name] = t;
    }
    return tensors;
  });
  try {
    const read = async (name: string): Promise<Float32Array> => {
      const t = out[name];
      if (!t) throw new RuntimeFault('MOE0707', `model ${model.graph.meta.model}: the runtime returned no '${name}' tensor`, 'update moec: this runtime predates routing outputs');
      return Float32Array.from((await t.data()) as Float32Array);
    };
    const blockData = new Map<number, RoutingBatch>();
    for (const b of blocks) {
      const [d, c] = outputNames(b);
      blockData.set(b.index, { images: count, dispatch: await read(d), combine: await read(c) });
    }
    const predicted = Int32Array.from((await out['\u0000predicted']!.data()) as Int32Array);
    return { images: count, blocks: blockData, predicted };
  } finally {
    tf.dispose(Object.values(out));
  }
}

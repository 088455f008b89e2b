// Inference speed of the same weights on moec's tfjs engine and on onnxruntime,
// measured alternately in one run (both see the same machine load): the figures
// of `moec bench --engine onnx` and bench/onnx-inference.ts.
import * as tf from '@tensorflow/tfjs';
import type { Graph } from '../../compiler/graph/ir.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { measurePair } from '../../runtime/bench/timing.ts';
import type { TimingSummary } from '../../runtime/bench/stats.ts';
import { exportOnnx } from './export-model.ts';
import { OnnxEngine } from './engine.ts';

export interface InferenceComparison {
  readonly model: string;
  readonly batch: number;
  readonly backend: string;
  readonly threads: number;
  readonly tfjs: { readonly timing: TimingSummary; readonly imagesPerSecond: number };
  readonly onnx: { readonly timing: TimingSummary; readonly imagesPerSecond: number };
  /** onnxruntime images/s over tfjs images/s. */
  readonly speedup: number;
  /** Largest |logit difference| between the engines on the timed batch. */
  readonly maxLogitDiff: number;
}

export async function compareInference(graph: Graph, options: { batch: number; reps: number; warmup?: number; threads?: number; seed?: number }): Promise<InferenceComparison> {
  const vit = graph.vit;
  if (!vit) throw new Error(`graph ${graph.meta.model} is not a whole ViT (no image size to feed)`);
  const { batch } = options;
  const model = createGraphModel(graph, { seed: options.seed ?? 0 });
  let engine: OnnxEngine | undefined;
  try {
    const weights = new Map([...model.variables].map(([n, v]) => [n, { shape: [...v.shape], data: v.dataSync() as Float32Array }]));
    engine = await OnnxEngine.open({ bytes: exportOnnx(graph, weights).bytes, label: graph.meta.model }, { threads: options.threads });
    const pixels = vit.image[0] * vit.image[1] * vit.image[2];
    const images = new Float32Array(batch * pixels);
    for (let i = 0; i < images.length; i++) images[i] = Math.sin(i * 12.9898) * 0.5; // deterministic, image-like range
    const x = tf.tensor4d(images, [batch, ...vit.image]);
    let tfjsOut: Float32Array = new Float32Array(0);
    let onnxOut: Float32Array = new Float32Array(0);
    const runTfjs = async () => {
      const out = model.forward(x, { training: false, step: 0 });
      tfjsOut = (await out.logits.data()) as Float32Array;
      tf.dispose([out.logits, out.auxLoss, ...out.stats.values()]);
    };
    const runOnnx = async () => {
      onnxOut = await engine!.logits(images, batch);
    };
    const { a, b } = await measurePair(runTfjs, runOnnx, { reps: options.reps, warmup: options.warmup ?? 1 });
    x.dispose();
    let maxLogitDiff = 0;
    for (let i = 0; i < tfjsOut.length; i++) maxLogitDiff = Math.max(maxLogitDiff, Math.abs(tfjsOut[i]! - onnxOut[i]!));
    const ips = (t: TimingSummary) => batch / (t.medianMs / 1000);
    return {
      model: graph.meta.model,
      batch,
      backend: tf.getBackend(),
      threads: engine.threads,
      tfjs: { timing: a, imagesPerSecond: ips(a) },
      onnx: { timing: b, imagesPerSecond: ips(b) },
      speedup: ips(b) / ips(a),
      maxLogitDiff,
    };
  } finally {
    model.dispose();
    await engine?.close();
  }
}

export function renderInferenceComparison(c: InferenceComparison): string {
  const row = (name: string, f: InferenceComparison['tfjs']) =>
    `  ${name.padEnd(30)} ${f.imagesPerSecond.toFixed(1).padStart(9)} images/s   (median ${f.timing.medianMs.toFixed(1)} ms per batch, ${f.timing.runs} runs)\n`;
  return (
    `inference of ${c.model}, batch ${c.batch}\n` +
    row(`tfjs ${c.backend}`, c.tfjs) +
    row(`onnxruntime, ${c.threads} threads`, c.onnx) +
    `  onnxruntime / tfjs: ${c.speedup.toFixed(2)}×   (max |logit difference| ${c.maxLogitDiff.toExponential(1)})\n`
  );
}

// `--engine onnx` for predict, eval and bench: the model exported on the fly
// into the run folder (<run>/onnx/step-N.onnx), or a given --onnx file, run by
// onnxruntime with one thread per core.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Graph } from '../compiler/graph/ir.ts';
import { exportOnnx, type WeightMap } from '../export/onnx/export-model.ts';
import { OnnxEngine } from '../export/onnx/engine.ts';
import { checkpointName } from '../runtime/checkpoint/checkpoint.ts';
import { RuntimeFault } from '../runtime/train/fault.ts';
import type { Output } from './context.ts';
import { weightsFor } from './model-source.ts';

export const ENGINES = ['tfjs', 'onnx'] as const;
export type EngineName = (typeof ENGINES)[number];

export function parseEngine(value: string | undefined): EngineName {
  const v = value ?? 'tfjs';
  if ((ENGINES as readonly string[]).includes(v)) return v as EngineName;
  throw new RuntimeFault('MOE0608', `unknown engine '${v}'`, `use --engine ${ENGINES.join(' or --engine ')}`);
}

export interface OnnxEngineRequest {
  readonly graph: Graph;
  readonly cwd: string;
  /** A given .onnx file (no export). */
  readonly onnx?: string;
  /** A checkpoint or run folder to export from. */
  readonly checkpoint?: string;
  /** Weights to export instead of a checkpoint (bench: freshly initialised). */
  readonly weights?: WeightMap;
  readonly stderr: Output;
  readonly threads?: number;
}

export async function openOnnxEngine(request: OnnxEngineRequest): Promise<OnnxEngine> {
  const vit = request.graph.vit;
  const checks = vit ? { image: vit.image, classes: vit.classes } : {};
  if (request.onnx) return OnnxEngine.open({ file: resolve(request.cwd, request.onnx) }, { ...checks, threads: request.threads });
  let weights = request.weights;
  let target: string | undefined;
  let label = `the exported ${request.graph.meta.model}`;
  if (!weights) {
    if (!request.checkpoint) throw new RuntimeFault('MOE0608', '--engine onnx needs --checkpoint (to export from) or --onnx FILE');
    if (request.checkpoint.toLowerCase().endsWith('.npz'))
      throw new RuntimeFault('MOE0608', `--engine onnx exports moec checkpoints, not ${request.checkpoint}`, 'use --engine tfjs for .npz weights, or train/fine-tune into a moec checkpoint first');
    const loaded = weightsFor(request.graph, request.checkpoint, request.cwd);
    weights = loaded.weights;
    const step = loaded.checkpoint.manifest.state.step;
    label = `${request.graph.meta.model} at step ${step}`;
    if (loaded.runDir) target = join(loaded.runDir, 'onnx', `${checkpointName(step)}.onnx`);
  }
  const { bytes } = exportOnnx(request.graph, weights);
  if (target) {
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, bytes);
    request.stderr.write(`exported ${target}\n`);
    return OnnxEngine.open({ file: target }, { ...checks, threads: request.threads });
  }
  return OnnxEngine.open({ bytes, label }, { ...checks, threads: request.threads });
}

/** Softmax (or per-class sigmoid for sigmoid_xent) of logits [n, classes], in float64. */
export function probabilitiesOf(logits: Float32Array, n: number, classes: number, loss: string): Float32Array[] {
  return Array.from({ length: n }, (_, i) => {
    const z = logits.subarray(i * classes, (i + 1) * classes);
    if (loss === 'sigmoid_xent') return Float32Array.from(z, (v) => 1 / (1 + Math.exp(-v)));
    const max = Math.max(...z);
    const e = Array.from(z, (v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return Float32Array.from(e, (v) => v / sum);
  });
}

/** Mean loss (runtime/train/loss.ts, in float64) and top-1 correct count of logits against labels. */
export function lossAndCorrect(logits: Float32Array, labels: Int32Array, classes: number, loss: string): { loss: number; correct: number } {
  const n = labels.length;
  let total = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const z = logits.subarray(i * classes, (i + 1) * classes);
    const y = labels[i]!;
    let best = 0;
    for (let c = 1; c < classes; c++) if (z[c]! > z[best]!) best = c;
    if (best === y) correct++;
    if (loss === 'sigmoid_xent') {
      for (let c = 0; c < classes; c++) {
        const v = z[c]!;
        total += Math.max(v, 0) - (c === y ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
    } else {
      const max = Math.max(...z);
      let sum = 0;
      for (const v of z) sum += Math.exp(v - max);
      total -= z[y]! - max - Math.log(sum);
    }
  }
  return { loss: total / n, correct };
}

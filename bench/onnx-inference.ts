// (onnx) Inference images/s of moec's tfjs engine and of onnxruntime on the same
// weights, measured alternately in one run: the README example and a
// ViT-S/16-sized Soft MoE (Soft MoE in the last 6 of 12 blocks, specs/soft_moe_s16.moe).
//   node bin/run-ts.mjs bench/onnx-inference.ts [--quick] [--reps N] [--backend wasm]
import { fileURLToPath } from 'node:url';
import { compile } from '../compiler/compile.ts';
import { compareInference, renderInferenceComparison, type InferenceComparison } from '../export/onnx/bench.ts';
import { formatRatio } from '../runtime/bench/stats.ts';
import { isMain, parseBenchArgs, say, useBackend, type BenchOptions } from './common.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Case {
  readonly label: string;
  readonly file: string;
  readonly batch: number;
}

export const ONNX_CASES: readonly Case[] = [
  { label: 'README example (examples/mnist_soft.moe)', file: 'examples/mnist_soft.moe', batch: 64 },
  { label: 'ViT-S/16-sized Soft MoE at 224×224, 16 experts in the last 6 of 12 blocks (bench/onnx-soft-s16.moe)', file: 'bench/onnx-soft-s16.moe', batch: 8 },
];

export async function benchOnnxInference(options: BenchOptions): Promise<InferenceComparison[]> {
  const rows: InferenceComparison[] = [];
  for (const c of ONNX_CASES) {
    const spec = compile(c.file, { cwd: root });
    if (!spec.ok) throw new Error(`${c.file} does not compile: ${spec.diagnostics.map((d) => d.message).join('; ')}`);
    const batch = options.quick ? Math.max(1, c.batch / 4) : c.batch;
    rows.push(await compareInference(spec.graph(), { batch, reps: Math.max(1, options.quick ? 2 : options.reps) }));
  }
  return rows;
}

export function renderOnnxInference(rows: readonly InferenceComparison[]): string {
  return rows.map((r, i) => `${ONNX_CASES[i]!.label}\n${renderInferenceComparison(r)}`).join('\n');
}

export function onnxSummary(rows: readonly InferenceComparison[]): string[] {
  return rows.map((r) => `onnxruntime / tfjs ${r.backend} inference, ${r.model} batch ${r.batch}: ${formatRatio(r.speedup, 3, 'min')}`);
}

if (isMain(import.meta.url)) {
  const options = parseBenchArgs(process.argv.slice(2));
  const backend = await useBackend(options.backend);
  say(`backend ${backend}`);
  const rows = await benchOnnxInference(options);
  say(renderOnnxInference(rows));
  for (const line of onnxSummary(rows)) say(line);
}

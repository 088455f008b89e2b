// `moec export --to onnx`: the op graph and a checkpoint's weights as one .onnx file.
import { writeFileSync } from 'node:fs';
import type { ExportInput, ExportResult, ExportTarget } from '../target.ts';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, exportOnnx } from './export-model.ts';
import { OnnxExportError } from './errors.ts';

/** `--batch N|dynamic` → the exporter's batch option. */
export function parseBatchOption(value: unknown): number | 'dynamic' {
  if (value === undefined || value === 'dynamic') return 'dynamic';
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n < 1) throw new OnnxExportError('MOE0602', `--batch must be a positive integer or 'dynamic', got '${String(value)}'`);
  return n;
}

export function parseOpsetOption(value: unknown): number {
  if (value === undefined) return DEFAULT_OPSET;
  const n = Number(value);
  if (!/^\d+$/.test(String(value))) throw new OnnxExportError('MOE0602', `--opset must be an integer (${MIN_OPSET}–${MAX_OPSET}), got '${String(value)}'`);
  return n;
}

export const onnxTarget: ExportTarget = {
  name: 'onnx',
  description: 'an ONNX model (standard ops, weights as initialisers) for onnxruntime, OpenVINO, TensorRT, browsers',
  needsCheckpoint: true,
  output: 'file',
  options: [
    { flags: '--opset <n>', description: `ONNX opset, ${MIN_OPSET}–${MAX_OPSET} (default ${DEFAULT_OPSET})` },
    { flags: '--batch <n|dynamic>', description: 'a fixed batch size, or dynamic (default)' },
    { flags: '--routing', description: "also output each MoE block's dispatch and combine tensors" },
  ],
  async run(input: ExportInput, out: string, options: Record<string, unknown>): Promise<ExportResult> {
    if (!input.weights) throw new OnnxExportError('MOE0608', 'the ONNX export needs trained weights: pass --checkpoint RUN_DIR|CHECKPOINT_DIR');
    const result = exportOnnx(input.graph, input.weights, {
      opset: parseOpsetOption(options.opset),
      batch: parseBatchOption(options.batch),
      routing: options.routing === true,
    });
    try {
      writeFileSync(out, result.bytes);
    } catch (e) {
      throw new OnnxExportError('MOE0607', `${out}: cannot write the model (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const sig = (v: { name: string; shape: readonly (number | string)[] }) => `${v.name} [${v.shape.join(', ')}]`;
    return {
      files: [out],
      notes: [
        `${result.nodes} graph nodes, opset ${parseOpsetOption(options.opset)}, ${(result.bytes.length / 1e6).toFixed(2)} MB`,
        `input ${result.inputs.map(sig).join(', ')}`,
        `outputs ${result.outputs.map(sig).join(', ')}`,
        ...(result.batchMultiple > 1 ? [`the batch must be a multiple of ${result.batchMultiple} (routing groups span images)`] : []),
      ],
    };
  },
};

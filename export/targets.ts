// The export targets of `moec export --to <target>` (cli/commands/export.ts).
// A target turns a graph (and, if it needs them, the trained weights) into files;
// it declares its own command-line options.
import type { Graph } from '../compiler/graph/ir.ts';
import type { ResolvedModel } from '../compiler/model.ts';
import { onnxTarget } from './onnx/target.ts';

export interface ExportInput {
  readonly graph: Graph;
  readonly model?: ResolvedModel;
  readonly weights?: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;
}

export interface ExportResult {
  readonly files: string[];
  readonly notes: string[];
}

/** A target-specific command-line option (commander syntax: `--opset <n>`, `--routing`). */
export interface ExportOption {
  readonly flags: string;
  readonly description: string;
  readonly default?: string | boolean;
}

export interface ExportTarget {
  readonly name: string;
  readonly description: string;
  readonly needsCheckpoint: boolean;
  readonly options: readonly ExportOption[];
  /** Writes `out`; options are the parsed flags, keyed by commander's camel-case names. */
  run(input: ExportInput, out: string, options: Record<string, unknown>): Promise<ExportResult>;
}

export const EXPORT_TARGETS: Readonly<Record<string, ExportTarget>> = {
  onnx: onnxTarget,
};

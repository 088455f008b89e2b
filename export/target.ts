// What an export target is (export/targets.ts lists them): its own module so the
// targets can import the shape without importing the list that imports them.
import type { Graph } from '../compiler/graph/ir.ts';
import type { ResolvedModel } from '../compiler/model.ts';

export interface ExportInput {
  readonly graph: Graph;
  readonly model?: ResolvedModel;
  readonly weights?: ReadonlyMap<string, { shape: number[]; data: Float32Array }>;
  /** Where the model came from (spec or run folder), for headers and notes. */
  readonly source?: string;
}

export interface ExportResult {
  /** Files written, absolute paths. */
  readonly files: string[];
  /** One line each: what the user should know (counts, remaining differences). */
  readonly notes: string[];
}

/** A target-specific command-line option, e.g. `--opset <n>`. */
export interface ExportOption {
  readonly flags: string;
  readonly description: string;
}

export interface ExportTarget {
  readonly name: string;
  readonly description: string;
  /** True when the target cannot work without trained weights. */
  readonly needsCheckpoint: boolean;
  readonly options?: readonly ExportOption[];
  /** What `-o` names: a folder (default; must not exist unless --force) or one file (onnx: model.onnx). */
  readonly output?: 'folder' | 'file';
  /** Writes into the folder `out` (or the file, for output 'file') (created by the caller's rules: see prepareOutputFolder). */
  run(input: ExportInput, out: string, options: Record<string, unknown>): Promise<ExportResult>;
}

// The targets of `moec export` (cli/commands/export.ts): each turns a graph (and,
// when it has them, its trained weights) into files another toolchain reads.
// To add one, write export/<name>/target.ts and add it to EXPORT_TARGETS.
import type { ExportTarget } from './target.ts';
import { vmoeTarget } from './vmoe/target.ts';
import { onnxTarget } from './onnx/target.ts';

export type { ExportInput, ExportResult, ExportOption, ExportTarget } from './target.ts';

export const EXPORT_TARGETS: Record<string, ExportTarget> = {
  vmoe: vmoeTarget satisfies ExportTarget,
  onnx: onnxTarget satisfies ExportTarget,
};

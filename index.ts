// The moec library API: the same functions the `moec` command is built on.
//
//   parse / format          .moe text → AST, canonical layout        (grammar/)
//   loadProgram             a file and its imports → checked models   (compiler/)
//   lowerModel / costOf     a checked model → op graph, its cost      (compiler/lower, compiler/cost)
//   createGraphModel        op graph → runnable tfjs model            (runtime/executor)
//   createMoeLayer          one router + experts on tensors           (runtime/moe-layer)
//   train                   the training loop                         (runtime/train)
//   renderDiagnostics       diagnostics → text                        (diagnostics/render)
//   vmoeExportFiles / importVmoeNpz   to google-research/vmoe (config + .npz) and back,
//                           with sparse upcycling; readNpz / writeNpz  (export/)
export { parse, format, printSpec } from './grammar/index.ts';
export type { SpecFile } from './grammar/index.ts';
export {
  loadProgram,
  selectModel,
  selectTrain,
  printResolvedSpec,
  costOf,
  validateGraph,
  loadGraphFile,
} from './compiler/index.ts';
export type { Program, CostSummary } from './compiler/index.ts';
export type { ResolvedModel, ResolvedTrain, RouterConfig, MoeBlockLayer } from './compiler/model.ts';
export type { Graph, OpNode, ParamSpec, BlockInfo, VitInfo, GraphOutputs } from './compiler/graph/ir.ts';
export { lowerModel } from './compiler/lower/index.ts';
export { createGraphModel } from './runtime/executor/graph-model.ts';
export type { GraphModel, ForwardResult, ForwardOptions } from './runtime/api.ts';
export { selectBackend } from './runtime/backend.ts';
export { createMoeLayer } from './runtime/moe-layer.ts';
export { loadSpec } from './runtime/train/session.ts';
export { train } from './runtime/train/trainer.ts';
export { loadDataset } from './runtime/data/index.ts';
export type { Diagnostic, Span } from './diagnostics/diagnostic.ts';
export * from './diagnostics/render.ts';
export { readNpz, readNpzFile, writeNpz } from './export/npz/npz.ts';
export type { NpzContents, NpzLimits, ReadNpzOptions } from './export/npz/npz.ts';
export { EXPORT_TARGETS } from './export/targets.ts';
export type { ExportTarget, ExportInput, ExportResult } from './export/targets.ts';
export { exportVmoe, vmoeExportFiles } from './export/vmoe/target.ts';
export { vmoeConfigPython, vmoeProblems } from './export/vmoe/config.ts';
export { vmoeLayout, toVmoeArrays, fromVmoeArrays } from './export/vmoe/layout.ts';
export { importVmoeNpz, assignWeights, formatImportReport } from './export/vmoe/import.ts';
export type { ImportReport, ImportedWeights } from './export/vmoe/import.ts';

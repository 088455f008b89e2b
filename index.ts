// The moec library API: the same functions the `moec` command is built on.
//
//   parse / format          .moe text → AST, canonical layout        (grammar/)
//   compile                 a spec → diagnostics, model, train, graph (compiler/compile.ts)
//   loadProgram             a file and its imports → checked models   (compiler/)
//   lowerModel / costOf     a checked model → op graph, its cost      (compiler/lower, compiler/cost)
//   createGraphModel        op graph → runnable tfjs model            (runtime/executor)
//   openRun / loadModel     a trained run folder → graph, checkpoints, a model to run (runtime/run)
//   createMoeLayer          one router + experts on tensors           (runtime/moe-layer)
//   train                   the training loop                         (runtime/train)
//   renderDiagnostics       diagnostics → text                        (diagnostics/render)
//   vmoeExportFiles / importVmoeNpz   to google-research/vmoe (config + .npz) and back,
//                           with sparse upcycling; readNpz / writeNpz  (export/)
//   exportOnnx              op graph + weights → ONNX model bytes      (export/onnx; run them with
//                           export/onnx/engine.ts, which loads onnxruntime-node)
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
export { compile, inMemoryFiles } from './compiler/compile.ts';
export type { Compilation, CompileOptions, TrainFlags } from './compiler/compile.ts';
export { UserError, RuntimeFault } from './diagnostics/fault.ts';
export { openRun, runTrainSettings } from './runtime/run/open-run.ts';
export type { RunFolder } from './runtime/run/open-run.ts';
export { loadModel } from './runtime/run/load-model.ts';
export type { LoadedModel, ModelOutputs, ModelSource, LoadModelOptions } from './runtime/run/load-model.ts';
export { evaluate, predictProbabilities } from './runtime/train/evaluate.ts';
export type { EvalResult } from './runtime/train/evaluate.ts';
export { decodeImage } from './runtime/data/folder.ts';
export type { ResolvedModel, ResolvedTrain, RouterConfig, MoeBlockLayer } from './compiler/model.ts';
export type { Graph, OpNode, ParamSpec, BlockInfo, VitInfo, GraphOutputs } from './compiler/graph/ir.ts';
export { lowerModel } from './compiler/lower/index.ts';
export { createGraphModel } from './runtime/executor/graph-model.ts';
export type { GraphModel, ForwardResult, ForwardOptions } from './runtime/api.ts';
export { selectBackend, BACKEND_NAMES } from './runtime/backend.ts';
export { BACKEND_PROFILES, activeProfile } from './runtime/backends/index.ts';
export type { BackendProfile } from './runtime/backends/profile.ts';
export { OPS, OP_KINDS } from './compiler/graph/ops.ts';
export type { OpDef } from './compiler/graph/ops.ts';
export { createMoeLayer } from './runtime/moe-layer.ts';
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
export { exportOnnx } from './export/onnx/export-model.ts';
export type { OnnxExport, OnnxExportOptions } from './export/onnx/export-model.ts';

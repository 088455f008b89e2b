// The compiler's public API: load and check a .moe program, choose a model or
// train block, print the resolved spec, and (via lower/) build the op graph.
export { compile, inMemoryFiles } from './compile.ts';
export type { Compilation, CompileOptions, TrainFlags } from './compile.ts';
export { loadProgram, defaultReadFile, PRESETS_FILE, PRESETS_PATH } from './program.ts';
export type { Program, LoadOptions } from './program.ts';
export type { FieldSource } from './resolve/model-context.ts';
export { selectModel, selectTrain } from './select.ts';
export type { Selected } from './select.ts';
export { printResolvedSpec, formatRouter, modelFieldTexts, trainFieldTexts } from './print.ts';
export { parseOverrides, OVERRIDE_SOURCE } from './overrides.ts';
export { computeCapacity } from './check/derive.ts';
export { defaultTrain } from './check/build.ts';
export { costOf, expertsPerToken } from './cost.ts';
export type { CostSummary, BlockCost } from './cost.ts';
export { checkGraph, validateGraph, loadGraphFile, GRAPH_SCHEMA, GRAPH_SCHEMA_V1 } from './graph/schema.ts';
export type { CheckedGraph, LoadedGraph } from './graph/schema.ts';
export { GRAPH_FORMAT, ROUTING_STATS, blockOutput, probeOutput, isStatOutput } from './graph/ir.ts';
export type { BlockInfo, GraphOutputs, VitInfo } from './graph/ir.ts';

// Loading a graph that did not come straight from the lowering (a `moec compile`
// output, a hand-edited file, any parsed JSON): validate it against the op-graph
// schema first, so a bad graph is a list of diagnostics, never a crash inside a kernel.
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import { checkGraph, loadGraphFile } from '../../compiler/graph/schema.ts';
import type { CreateModelOptions, GraphModel } from '../api.ts';
import { createGraphModel } from './graph-model.ts';

export class InvalidGraphError extends Error {
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    where: string,
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(`${where} is not a valid moec graph:\n${errors.map((d) => `  ${d.code}: ${d.message}`).join('\n')}`);
  }
}

/** Validates a parsed graph (the one call site of the schema check in the runtime); a v1 graph comes back as v2. */
export function loadGraph(value: unknown, where = 'the graph'): Graph {
  const checked = checkGraph(value);
  if (!checked.graph) throw new InvalidGraphError(checked.diagnostics, where);
  return checked.graph;
}

/** Reads and validates a .json/.yaml graph file. */
export function loadGraphFromFile(path: string): Graph {
  const loaded = loadGraphFile(path);
  if (!loaded.graph) throw new InvalidGraphError(loaded.diagnostics, path);
  return loaded.graph;
}

/** Validates a parsed graph and binds it to fresh variables. */
export function loadGraphModel(value: unknown, options: CreateModelOptions): GraphModel {
  return createGraphModel(loadGraph(value), options);
}

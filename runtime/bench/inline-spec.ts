// Compiles .moe source text held in memory (the benches generate their models), with
// the same loadProgram → selectModel → lowerModel path as `moec compile`.
import { loadProgram, selectModel } from '../../compiler/index.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { ResolvedModel } from '../../compiler/model.ts';

export interface CompiledSpec {
  readonly model: ResolvedModel;
  readonly graph: Graph;
}

/** Checks `text` (as if it were the file `name`) and lowers its model (or `modelName`). Throws with the first error. */
export function compileSpecText(text: string, options: { name?: string; model?: string } = {}): CompiledSpec {
  const path = `/moec-bench/${options.name ?? 'inline.moe'}`;
  const program = loadProgram(path, { readFile: (p) => (p === path ? text : undefined) });
  const errors = program.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`bench spec ${options.name ?? 'inline.moe'} does not check: ${errors[0]!.code} ${errors[0]!.message}`);
  const selected = selectModel(program, options.model);
  if (!selected.value) throw new Error(`bench spec: ${selected.diagnostics[0]?.message ?? 'no model'}`);
  return { model: selected.value, graph: lowerModel(selected.value, { source: path }) };
}

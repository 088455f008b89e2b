// Compiles .moe text held in memory (tests generate small models) through compile(),
// failing the test with the rendered diagnostics when it does not check.
import { compile, inMemoryFiles } from '../../compiler/compile.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { ResolvedModel } from '../../compiler/model.ts';
import { renderDiagnostics } from '../../diagnostics/render.ts';

export function compileText(text: string, options: { name?: string; model?: string } = {}): { model: ResolvedModel; graph: Graph } {
  const name = options.name ?? 'inline.moe';
  const c = compile(name, { readFile: inMemoryFiles({ [name]: text }), train: false, ...(options.model ? { model: options.model } : {}) });
  if (!c.ok || !c.model) throw new Error(`${name} does not compile:\n${renderDiagnostics(c.diagnostics, c.sources)}`);
  return { model: c.model, graph: c.graph() };
}

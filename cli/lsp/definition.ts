// Go to definition: `extends BASE`, a router named in `moe(…)`, `model: NAME` in a
// train block (each to its declaration, presets included), an import (to the file),
// and a field named in an expression (to the field that set it).
import type { Span } from '../../diagnostics/diagnostic.ts';
import { importTarget } from '../../compiler/resolve/files.ts';
import type { Analysis } from './analysis.ts';
import { innermost, nodesAt } from './locate.ts';
import { MODEL_FIELDS } from './vocabulary.ts';

export interface Target {
  readonly file: string;
  /** Undefined: the start of the file. */
  readonly span?: Span;
  /** The text the request was made on. */
  readonly origin: Span;
}

export function definitionAt(analysis: Analysis, offset: number): Target | undefined {
  const chain = nodesAt(analysis.file, offset);
  const decl = chain[1];
  if (!decl) return undefined;
  if (decl.kind === 'ImportDeclaration') {
    const file = importTarget(analysis.path, decl.path.value);
    return analysis.program.sources.has(file) ? { file, origin: decl.path.span } : undefined;
  }
  const id = innermost(chain, 'Identifier');
  if (!id) return undefined;
  const toDeclaration = (name: string): Target | undefined => {
    const d = analysis.declaration(name);
    return d ? { file: d.file, span: d.decl.name.span, origin: id.span } : undefined;
  };
  if (decl.kind === 'ModelDeclaration') {
    if (id === decl.base) return toDeclaration(id.name);
    const layer = innermost(chain, 'MoeLayer');
    if (layer && layer.router === id) return toDeclaration(id.name);
    const field = innermost(chain, 'Field');
    if (field && id !== field.name && MODEL_FIELDS[id.name]) {
      const source = analysis.program.fieldSources.get(decl.name.name)?.get(id.name)?.[0];
      return source ? { file: source.field.span.file, span: source.field.name.span, origin: id.span } : undefined;
    }
    return undefined;
  }
  if (decl.kind === 'TrainDeclaration') {
    const field = innermost(chain, 'Field');
    if (field?.name.name === 'model' && field.value === id) return toDeclaration(id.name);
  }
  return undefined;
}

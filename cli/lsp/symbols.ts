// Document symbols: models (with their fields and block rules), routers, train
// blocks and imports, for the outline and breadcrumbs.
import type { DocumentSymbol } from 'vscode-languageserver/node';
import { SymbolKind } from 'vscode-languageserver/node';
import type { SpecFile } from '../../grammar/ast.ts';
import { toRange } from './convert.ts';

export function documentSymbols(file: SpecFile, text: string): DocumentSymbol[] {
  const src = (s: { start: { offset: number }; end: { offset: number } }) => text.slice(s.start.offset, s.end.offset);
  return file.declarations.map((d): DocumentSymbol => {
    switch (d.kind) {
      case 'ImportDeclaration':
        return { name: `import ${JSON.stringify(d.path.value)}`, kind: SymbolKind.File, range: toRange(d.span), selectionRange: toRange(d.path.span) };
      case 'RouterDeclaration':
        return { name: d.name.name, detail: src(d.value.span), kind: SymbolKind.Function, range: toRange(d.span), selectionRange: toRange(d.name.span) };
      case 'ModelDeclaration':
        return {
          name: d.name.name,
          detail: d.base ? `model extends ${d.base.name}` : 'model',
          kind: SymbolKind.Class,
          range: toRange(d.span),
          selectionRange: toRange(d.name.span),
          children: d.members.map((m) =>
            m.kind === 'Field'
              ? { name: m.name.name, detail: src(m.value.span), kind: SymbolKind.Field, range: toRange(m.span), selectionRange: toRange(m.name.span) }
              : { name: `blocks ${src(m.selector.span)}`, detail: src(m.layer.span), kind: SymbolKind.Array, range: toRange(m.span), selectionRange: toRange(m.selector.span) },
          ),
        };
      case 'TrainDeclaration':
        return {
          name: d.name.name,
          detail: 'train',
          kind: SymbolKind.Event,
          range: toRange(d.span),
          selectionRange: toRange(d.name.span),
          children: d.fields.map((f) => ({ name: f.name.name, detail: src(f.value.span), kind: SymbolKind.Field, range: toRange(f.span), selectionRange: toRange(f.name.span) })),
        };
    }
  });
}

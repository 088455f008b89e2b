// Inlay hints (off unless the client turns them on): the cost of the blocks each
// `blocks` line decides, at the end of the line.
import type { InlayHint, Range } from 'vscode-languageserver/node';
import { InlayHintKind } from 'vscode-languageserver/node';
import type { BlockRule } from '../../grammar/ast.ts';
import { selectBlocks } from '../../compiler/check/derive.ts';
import type { Analysis } from './analysis.ts';
import { gflops, short } from './describe.ts';

export function blockCostHints(analysis: Analysis, range: Range): InlayHint[] {
  const hints: InlayHint[] = [];
  for (const decl of analysis.file.declarations) {
    if (decl.kind !== 'ModelDeclaration') continue;
    const model = analysis.model(decl.name.name);
    const cost = model && analysis.cost(decl.name.name);
    if (!model || !cost) continue;
    const rules = decl.members.filter((m): m is BlockRule => m.kind === 'BlockRule');
    rules.forEach((rule, i) => {
      const line = rule.span.end.line - 1;
      if (line < range.start.line || line > range.end.line) return;
      const taken = new Set(rules.slice(i + 1).flatMap((r) => selectBlocks(r.selector, model.depth).blocks));
      const blocks = selectBlocks(rule.selector, model.depth).blocks.filter((b) => !taken.has(b)).map((b) => cost.blocks[b]);
      if (blocks.length === 0) return;
      const params = blocks.reduce((a, b) => a + b.params, 0);
      const active = blocks.reduce((a, b) => a + b.activeParams, 0);
      const flops = blocks.reduce((a, b) => a + b.flops, 0);
      const each = blocks.length > 1 ? `${blocks.length} blocks: ` : '';
      hints.push({
        position: { line, character: rule.span.end.column - 1 },
        label: `  ${each}${short(params)} params (${short(active)} active), ${gflops(flops)} GFLOPs`,
        kind: InlayHintKind.Parameter,
        paddingLeft: true,
      });
    });
  }
  return hints;
}

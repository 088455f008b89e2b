// A block rule whose every block a later rule overrides has no effect: warn.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { selectBlocks } from '../derive.ts';
import type { ModelRule } from '../rule.ts';

export const overriddenRule: ModelRule = {
  name: 'overridden-rule',
  check(ctx) {
    const depth = ctx.typed.depth;
    if (depth === undefined) return [];
    const selections = ctx.rules.map((r) => selectBlocks(r.rule.selector, depth));
    const out: Diagnostic[] = [];
    selections.forEach((sel, i) => {
      // Overriding an inherited rule is what `extends` is for: only this model's own rules can be dead.
      if (sel.blocks.length === 0 || sel.problems.length > 0 || !ctx.decl.members.includes(ctx.rules[i].rule)) return;
      const covered = new Set<number>();
      let last = -1;
      for (let j = i + 1; j < selections.length; j++) {
        for (const b of selections[j].blocks) if (sel.blocks.includes(b) && !covered.has(b)) (covered.add(b), (last = j));
      }
      if (covered.size < sel.blocks.length) return;
      out.push(
        diagnostic('MOE0309', 'this rule has no effect: later rules override every block it selects', ctx.rules[i].rule.span, {
          notes: [{ message: 'the last of the overriding rules', span: ctx.rules[last].rule.span }],
          help: 'remove it, or narrow the later rules',
        }),
      );
    });
    return out;
  },
};

// Block selectors stay inside 0 … depth-1 and select at least one block.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { selectBlocks } from '../derive.ts';
import type { ModelRule } from '../rule.ts';

const CODES = { out_of_range: 'MOE0307', empty: 'MOE0308', bad_step: 'MOE0302' } as const;

export const blockSelectors: ModelRule = {
  name: 'block-selectors',
  check(ctx) {
    const depth = ctx.typed.depth;
    if (depth === undefined) return [];
    const out: Diagnostic[] = [];
    for (const r of ctx.rules) {
      for (const p of selectBlocks(r.rule.selector, depth).problems) out.push(diagnostic(CODES[p.kind], p.message, p.span));
    }
    return out;
  },
};

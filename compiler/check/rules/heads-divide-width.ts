// Attention splits the width evenly across heads.
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import type { ModelRule } from '../rule.ts';
import { isOwnField } from '../rule.ts';

export const headsDivideWidth: ModelRule = {
  name: 'heads-divide-width',
  check(ctx) {
    const m = ctx.typed;
    if (m.width === undefined || m.heads === undefined || m.width % m.heads === 0) return [];
    const divisors: number[] = [];
    for (let h = 1; h <= Math.min(m.width, 64); h++) if (m.width % h === 0) divisors.push(h);
    const heads = ctx.fields.get('heads')!;
    const width = ctx.fields.get('width')!;
    // Point at the field this model wrote; the inherited one is the note.
    const [primary, other] = !isOwnField(ctx, heads) && isOwnField(ctx, width) ? [width, heads] : [heads, width];
    return [
      diagnostic('MOE0306', `heads ${m.heads} does not divide width ${m.width}`, primary.value.span, {
        notes: [{ message: `${other.name} given here`, span: other.value.span }],
        help: `heads that divide ${m.width}: ${divisors.join(', ')}`,
      }),
    ];
  },
};

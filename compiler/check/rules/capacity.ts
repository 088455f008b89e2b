// The resolved capacity (routers.md §3) is at least one slot per expert, fits in a
// group where the family has a limit (expert choice), and a warning says when
// rounding changes a factor the user wrote.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import type { RouterRule } from '../rule.ts';

/** Relative change of the capacity factor below which rounding is not worth a warning. */
const TOLERANCE = 0.01;

export const capacity: RouterRule = {
  name: 'capacity',
  check(router) {
    const cap = router.capacity;
    const s = router.settings;
    if (!cap || !s || router.call === undefined) return [];
    const span = (router.args.get('capacity') ?? router.args.get('slots'))?.value.span ?? router.call.span;
    const n = cap.tokensText;
    if (cap.raw < 1) {
      return [
        diagnostic('MOE0312', `capacity ${cap.factor} gives ${cap.raw} slots per expert (${n} tokens, ${s.experts} experts): at least 1 is needed`, span, {
          help: `raise capacity to at least ${Math.ceil(((s.experts ?? 1) / cap.numTokens) * 100) / 100}, use fewer experts or a larger group`,
        }),
      ];
    }
    if (cap.limit !== undefined && cap.capacity > cap.limit) {
      return [
        diagnostic('MOE0320', `each expert would take ${cap.capacity} tokens from a group of only ${cap.limit}`, span, {
          help: 'lower capacity or multiple_of, or use a larger group',
        }),
      ];
    }
    // Only a factor the user wrote is worth a warning; the defaults' rounding is documented.
    const requested = cap.requested;
    if (requested !== undefined && Math.abs(cap.effectiveFactor - requested) > TOLERANCE * requested) {
      return [
        diagnostic(
          'MOE0313',
          `capacity ${requested} becomes ${cap.capacity} slots per expert (${n} tokens, ${s.experts} experts, ${cap.rounding}${cap.multipleOf > 1 ? `, multiple of ${cap.multipleOf}` : ''}): an effective capacity factor of ${cap.effectiveFactor.toFixed(3)}`,
          span,
        ),
      ];
    }
    return [];
  },
};

// The resolved capacity (routers.md §3) is at least one slot per expert, fits in a
// group for expert choice, and a warning says when rounding changes a factor the
// user wrote.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { routerArgs, routerCapacity, routerSettings, tokensOf, typedModelFields } from '../derive.ts';
import { moeUses } from '../rule.ts';
import type { ModelRule } from '../rule.ts';

/** Relative change of the capacity factor below which rounding is not worth a warning. */
const TOLERANCE = 0.01;

export const capacity: ModelRule = {
  name: 'capacity',
  check(ctx) {
    const tokens = tokensOf(typedModelFields(ctx));
    if (tokens === undefined) return [];
    const out: Diagnostic[] = [];
    for (const { router } of moeUses(ctx)) {
      const call = router.call;
      if (call.kind !== 'call') continue;
      const s = routerSettings(call, tokens);
      if (!s) continue;
      const cap = routerCapacity(s);
      if (!cap) continue;
      const args = routerArgs(call);
      const span = (args.get('capacity') ?? args.get('slots'))?.value.span ?? call.span;
      const S = s.group;
      const n = s.family === 'token_choice' ? `S·k = ${S}·${s.k}` : `S = ${S}`;
      if (cap.raw < 1) {
        out.push(
          diagnostic('MOE0312', `capacity ${s.capacityFactor} gives ${cap.raw} slots per expert (${n} tokens, ${s.experts} experts): at least 1 is needed`, span, {
            help: `raise capacity to at least ${Math.ceil(((s.experts ?? 1) / (s.family === 'token_choice' ? S * s.k : S)) * 100) / 100}, use fewer experts or a larger group`,
          }),
        );
        continue;
      }
      if (s.family === 'expert_choice' && cap.capacity > S) {
        out.push(
          diagnostic('MOE0320', `each expert would take ${cap.capacity} tokens from a group of only ${S}`, span, {
            help: 'lower capacity or multiple_of, or use a larger group',
          }),
        );
        continue;
      }
      // Only a factor the user wrote is worth a warning; the defaults' rounding is documented.
      const requested = !s.capacityGiven || (s.family === 'soft' && s.slots !== undefined) ? undefined : s.capacityFactor;
      if (requested !== undefined && Math.abs(cap.effectiveFactor - requested) > TOLERANCE * requested) {
        out.push(
          diagnostic(
            'MOE0313',
            `capacity ${requested} becomes ${cap.capacity} slots per expert (${n} tokens, ${s.experts} experts, ${s.rounding}${s.multipleOf > 1 ? `, multiple of ${s.multipleOf}` : ''}): an effective capacity factor of ${cap.effectiveFactor.toFixed(3)}`,
            span,
          ),
        );
      }
    }
    return out;
  },
};

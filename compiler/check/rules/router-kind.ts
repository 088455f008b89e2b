// A router is token_choice(…), expert_choice(…) or soft(…).
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { didYouMean } from '../../../diagnostics/suggest.ts';
import { ROUTER_FAMILIES } from '../schema.ts';
import { routerFamily } from '../derive.ts';
import { moeUses } from '../rule.ts';
import type { ModelRule } from '../rule.ts';

export const routerKind: ModelRule = {
  name: 'router-kind',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { rule, router } of moeUses(ctx)) {
      const call = router.call;
      if (call.kind !== 'call') {
        out.push(diagnostic('MOE0233', `a router must be a call such as soft(experts: 8)`, rule.layer.span));
        continue;
      }
      if (routerFamily(call)) continue;
      const help = didYouMean(call.callee, ROUTER_FAMILIES);
      out.push(
        diagnostic('MOE0233', `unknown router kind '${call.callee}'`, call.calleeSpan, {
          help: help ?? `router kinds are ${ROUTER_FAMILIES.join(', ')}`,
          ...(help ? { suggestion: { replacement: help.split("'")[1] } } : {}),
        }),
      );
    }
    return out;
  },
};

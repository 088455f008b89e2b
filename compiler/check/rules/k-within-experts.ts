// A token cannot choose more experts than exist.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { routerArgs, typedRouterParam } from '../derive.ts';
import { moeUses } from '../rule.ts';
import type { ModelRule } from '../rule.ts';

export const kWithinExperts: ModelRule = {
  name: 'k-within-experts',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { router } of moeUses(ctx)) {
      const call = router.call;
      if (call.kind !== 'call' || call.callee !== 'token_choice') continue;
      const k = typedRouterParam(call, 'k') as number | undefined;
      const e = typedRouterParam(call, 'experts') as number | undefined;
      if (k === undefined || e === undefined || k <= e) continue;
      out.push(
        diagnostic('MOE0311', `k = ${k} exceeds the ${e} experts`, routerArgs(call).get('k')!.value.span, {
          notes: [{ message: 'experts given here', span: routerArgs(call).get('experts')!.value.span }],
        }),
      );
    }
    return out;
  },
};

// `slots` overrides `capacity` for soft routers: giving both is a warning.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { routerArgs } from '../derive.ts';
import { moeUses } from '../rule.ts';
import type { ModelRule } from '../rule.ts';

export const softSlotsCapacity: ModelRule = {
  name: 'soft-slots-capacity',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { router } of moeUses(ctx)) {
      if (router.call.kind !== 'call' || router.call.callee !== 'soft') continue;
      const args = routerArgs(router.call);
      const cap = args.get('capacity');
      const slots = args.get('slots');
      if (!cap || !slots) continue;
      out.push(
        diagnostic('MOE0319', `capacity is ignored because slots is given`, cap.nameSpan ?? cap.span, {
          notes: [{ message: 'slots given here', span: slots.nameSpan ?? slots.span }],
          help: 'remove one of the two',
        }),
      );
    }
    return out;
  },
};

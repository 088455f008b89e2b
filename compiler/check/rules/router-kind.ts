// A router is a call of a family in the router table (compiler/routers/).
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { didYouMean } from '../../../diagnostics/suggest.ts';
import { ROUTER_FAMILIES } from '../../routers/index.ts';
import type { RouterRule } from '../rule.ts';

export const routerKind: RouterRule = {
  name: 'router-kind',
  check(router) {
    const out: Diagnostic[] = [];
    const call = router.call;
    if (!call) {
      out.push(diagnostic('MOE0233', `a router must be a call such as soft(experts: 8)`, router.span));
      return out;
    }
    if (router.definition) return out;
    const help = didYouMean(call.callee, ROUTER_FAMILIES);
    out.push(
      diagnostic('MOE0233', `unknown router kind '${call.callee}'`, call.calleeSpan, {
        help: help ?? `router kinds are ${ROUTER_FAMILIES.join(', ')}`,
        ...(help ? { suggestion: { replacement: help.split("'")[1] } } : {}),
      }),
    );
    return out;
  },
};

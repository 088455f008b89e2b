// A token cannot choose more experts than exist. A token_choice rule
// (compiler/routers/token-choice.ts).
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import type { RouterRule } from '../../routers/definition.ts';

export const kWithinExperts: RouterRule = {
  name: 'k-within-experts',
  check(router) {
    const out: Diagnostic[] = [];
    const s = router.settings;
    const kArg = router.args.get('k');
    const eArg = router.args.get('experts');
    if (!s || !kArg || !eArg || s.experts === undefined) return out;
    const k = s.num('k');
    const e = s.experts;
    if (k <= e) return out;
    out.push(diagnostic('MOE0311', `k = ${k} exceeds the ${e} experts`, kArg.value.span, { notes: [{ message: 'experts given here', span: eArg.value.span }] }));
    return out;
  },
};

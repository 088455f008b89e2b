// `slots` overrides `capacity` for soft routers: giving both is a warning.
// A soft rule (compiler/routers/soft.ts).
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import type { RouterRule } from '../../routers/definition.ts';

export const softSlotsCapacity: RouterRule = {
  name: 'soft-slots-capacity',
  check(router) {
    const out: Diagnostic[] = [];
    const cap = router.args.get('capacity');
    const slots = router.args.get('slots');
    if (!cap || !slots) return out;
    out.push(
      diagnostic('MOE0319', `capacity is ignored because slots is given`, cap.nameSpan ?? cap.span, {
        notes: [{ message: 'slots given here', span: slots.nameSpan ?? slots.span }],
        help: 'remove one of the two',
      }),
    );
    return out;
  },
};

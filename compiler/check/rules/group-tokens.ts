// A routing group is part of one image or several whole images: `group` divides
// the tokens of an image or is a multiple of them (the batch is checked at run time).
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import type { RouterRule } from '../rule.ts';

export const groupTokens: RouterRule = {
  name: 'group-tokens',
  check(router, ctx) {
    const tokens = ctx.tokens;
    const arg = router.args.get('group');
    const group = router.settings && arg ? router.settings.group : undefined;
    if (tokens === undefined || group === undefined || tokens % group === 0 || group % tokens === 0) return [];
    return [
      diagnostic('MOE0314', `group ${group} neither divides nor is a multiple of the ${tokens} tokens of an image`, arg!.value.span, {
        help: `use a divisor of ${tokens} or a multiple such as ${tokens} or ${2 * tokens}`,
      }),
    ];
  },
};

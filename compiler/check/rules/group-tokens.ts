// A routing group is part of one image or several whole images: `group` divides
// the tokens of an image or is a multiple of them (the batch is checked at run time).
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { routerArgs, tokensOf, typedModelFields, typedRouterParam } from '../derive.ts';
import { moeUses } from '../rule.ts';
import type { ModelRule } from '../rule.ts';

export const groupTokens: ModelRule = {
  name: 'group-tokens',
  check(ctx) {
    const tokens = tokensOf(typedModelFields(ctx));
    if (tokens === undefined) return [];
    const out: Diagnostic[] = [];
    for (const { router } of moeUses(ctx)) {
      if (router.call.kind !== 'call') continue;
      const group = typedRouterParam(router.call, 'group') as number | undefined;
      if (group === undefined || tokens % group === 0 || group % tokens === 0) continue;
      out.push(
        diagnostic('MOE0314', `group ${group} neither divides nor is a multiple of the ${tokens} tokens of an image`, routerArgs(router.call).get('group')!.value.span, {
          help: `use a divisor of ${tokens} or a multiple such as ${tokens} or ${2 * tokens}`,
        }),
      );
    }
    return out;
  },
};

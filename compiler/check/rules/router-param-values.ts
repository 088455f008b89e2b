// Router parameters have the types and ranges of language.md §4, and `experts` is given.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { readValue } from '../read.ts';
import { ROUTER_PARAMS } from '../schema.ts';
import { routerFamily } from '../derive.ts';
import { moeUses } from '../rule.ts';
import { suggestions } from '../../../diagnostics/suggest.ts';
import type { ModelRule } from '../rule.ts';

export const routerParamValues: ModelRule = {
  name: 'router-param-values',
  check(ctx) {
    const out: Diagnostic[] = [];
    const fieldNames = [...ctx.fields.keys()];
    for (const { router } of moeUses(ctx)) {
      const call = router.call;
      if (call.kind !== 'call' || !routerFamily(call)) continue;
      for (const arg of call.args) {
        const spec = arg.name ? ROUTER_PARAMS[arg.name] : undefined;
        if (!spec || !spec.families.includes(routerFamily(call)!)) continue;
        // `sparsity` on token_choice is reported by its own rule.
        if (arg.name === 'normalize' && arg.value.kind === 'symbol' && arg.value.name === 'sparsity') continue;
        out.push(...readValue(spec.type, arg.value, `router parameter '${arg.name}'`, { fieldNames }).diagnostics);
      }
      // A misspelt `experts` is already reported (MOE0231, with the suggestion): don't report it missing too.
      const misspelt = call.args.some((a) => a.name && !ROUTER_PARAMS[a.name] && suggestions(a.name, ['experts']).length > 0);
      if (!call.args.some((a) => a.name === 'experts') && !misspelt) {
        out.push(
          diagnostic('MOE0303', `${call.callee}(…) needs the parameter 'experts' (the number of experts)`, call.span, {
            help: `e.g. ${call.callee}(experts: 8${call.args.length ? ', …' : ''})`,
          }),
        );
      }
    }
    return out;
  },
};

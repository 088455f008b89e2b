// Router parameters have the types and ranges of their family's table, and the
// required ones (`experts`) are given.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { suggestions } from '../../../diagnostics/suggest.ts';
import { readValue } from '../read.ts';
import { ROUTER_PARAMS } from '../../routers/index.ts';
import type { RouterRule } from '../rule.ts';

export const routerParamValues: RouterRule = {
  name: 'router-param-values',
  check(router, ctx) {
    const out: Diagnostic[] = [];
    const { call, definition: def } = router;
    if (!call || !def) return out;
    for (const arg of call.args) {
      const spec = arg.name ? def.params[arg.name] : undefined;
      if (!spec) continue;
      if (arg.value.kind === 'symbol' && spec.explained?.includes(arg.value.name)) continue;
      out.push(...readValue(spec.type, arg.value, `router parameter '${arg.name}'`, { fieldNames: ctx.fieldNames }).diagnostics);
    }
    for (const [name, spec] of Object.entries(def.params)) {
      if (!spec.required || router.args.has(name)) continue;
      // A misspelt name is already reported (MOE0231, with the suggestion): don't report it missing too.
      const misspelt = call.args.some((a) => a.name && !ROUTER_PARAMS[a.name] && suggestions(a.name, [name]).length > 0);
      if (misspelt) continue;
      out.push(
        diagnostic('MOE0303', `${call.callee}(…) needs the parameter '${name}' (the ${spec.doc})`, call.span, {
          help: `e.g. ${call.callee}(${name}: 8${call.args.length ? ', …' : ''})`,
        }),
      );
    }
    return out;
  },
};

// Router parameters must be named, given once, and belong to the router's family
// (and normalizer): unknown ones get a did-you-mean, another family's a clear message.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { didYouMean } from '../../../diagnostics/suggest.ts';
import { ROUTER_PARAMS, paramsOfFamily } from '../schema.ts';
import { routerFamily, typedRouterParam } from '../derive.ts';
import { moeUses } from '../rule.ts';
import type { ModelRule } from '../rule.ts';

export const routerParams: ModelRule = {
  name: 'router-params',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { router } of moeUses(ctx)) {
      const call = router.call;
      if (call.kind !== 'call') continue;
      const family = routerFamily(call);
      if (!family) continue;
      const normalize = family === 'soft' ? undefined : ((typedRouterParam(call, 'normalize') as string | undefined) ?? 'softmax');
      const seen = new Map<string, NonNullable<(typeof call.args)[number]['nameSpan']>>();
      for (const arg of call.args) {
        if (!arg.name || !arg.nameSpan) {
          out.push(
            diagnostic('MOE0317', `router arguments must be named`, arg.span, {
              help: family === 'soft' ? 'e.g. soft(experts: 8, slots: 1)' : `e.g. ${family}(experts: 8)`,
            }),
          );
          continue;
        }
        const first = seen.get(arg.name);
        if (first) {
          out.push(diagnostic('MOE0318', `router parameter '${arg.name}' is given twice`, arg.nameSpan, { notes: [{ message: 'first given here', span: first }] }));
          continue;
        }
        seen.set(arg.name, arg.nameSpan);
        const spec = ROUTER_PARAMS[arg.name];
        if (!spec) {
          const help = didYouMean(arg.name, paramsOfFamily(family));
          out.push(
            diagnostic('MOE0231', `router parameter '${arg.name}' is not known for ${family}`, arg.nameSpan, {
              help: help ?? `${family} takes ${paramsOfFamily(family).join(', ')}`,
              ...(help ? { suggestion: { replacement: help.split("'")[1] } } : {}),
            }),
          );
          continue;
        }
        if (!spec.families.includes(family)) {
          out.push(
            diagnostic('MOE0232', `router parameter '${arg.name}' belongs to ${spec.families.join(' and ')}, not ${family}`, arg.nameSpan, {
              help: `${family} takes ${paramsOfFamily(family).join(', ')}`,
            }),
          );
          continue;
        }
        if (normalize && spec.normalizers && !spec.normalizers.includes(normalize)) {
          out.push(
            diagnostic('MOE0232', `router parameter '${arg.name}' has no effect with normalize: ${normalize}`, arg.nameSpan, {
              help: `'${arg.name}' applies with normalize: ${spec.normalizers.join(' or ')}`,
            }),
          );
        }
      }
    }
    return out;
  },
};

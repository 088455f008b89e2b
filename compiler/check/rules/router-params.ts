// Router parameters must be named, given once, and belong to the router's family
// (and normalizer): unknown ones get a did-you-mean, another family's a clear message.
import type { Diagnostic, Span } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { didYouMean } from '../../../diagnostics/suggest.ts';
import { ROUTER_PARAMS } from '../../routers/index.ts';
import type { RouterRule } from '../rule.ts';

export const routerParams: RouterRule = {
  name: 'router-params',
  check(router) {
    const out: Diagnostic[] = [];
    const { call, definition: def, settings } = router;
    if (!call || !def || !settings) return out;
    const family = def.family;
    const names = Object.keys(def.params);
    // The family's normalizer, when it has one (given or default).
    const normalize = 'normalize' in def.params ? (settings.values.get('normalize') as string | undefined) : undefined;
    const seen = new Map<string, Span>();
    for (const arg of call.args) {
      if (!arg.name || !arg.nameSpan) {
        out.push(diagnostic('MOE0317', `router arguments must be named`, arg.span, { help: `e.g. ${def.example}` }));
        continue;
      }
      const first = seen.get(arg.name);
      if (first) {
        out.push(diagnostic('MOE0318', `router parameter '${arg.name}' is given twice`, arg.nameSpan, { notes: [{ message: 'first given here', span: first }] }));
        continue;
      }
      seen.set(arg.name, arg.nameSpan);
      const spec = def.params[arg.name];
      if (!spec) {
        const elsewhere = ROUTER_PARAMS[arg.name];
        if (elsewhere) {
          out.push(
            diagnostic('MOE0232', `router parameter '${arg.name}' belongs to ${elsewhere.families.join(' and ')}, not ${family}`, arg.nameSpan, {
              help: `${family} takes ${names.join(', ')}`,
            }),
          );
          continue;
        }
        const help = didYouMean(arg.name, names);
        out.push(
          diagnostic('MOE0231', `router parameter '${arg.name}' is not known for ${family}`, arg.nameSpan, {
            help: help ?? `${family} takes ${names.join(', ')}`,
            ...(help ? { suggestion: { replacement: help.split("'")[1] } } : {}),
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
    return out;
  },
};

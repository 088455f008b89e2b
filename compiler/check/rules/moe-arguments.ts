// `moe(ROUTER, …)` takes only `mlp: N` after the router.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { readArguments } from '../read.ts';
import { MOE_ARGS } from '../schema.ts';
import type { ModelRule } from '../rule.ts';

export const moeArguments: ModelRule = {
  name: 'moe-arguments',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const r of ctx.rules) {
      if (r.layer.kind !== 'moe') continue;
      out.push(...readArguments('moe', MOE_ARGS, r.layer.args, r.layer.span).diagnostics);
    }
    return out;
  },
};

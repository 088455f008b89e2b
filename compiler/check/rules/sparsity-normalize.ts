// The sparsity-constrained normalizer exists only for expert choice (routers.md §4.5).
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { routerArgs } from '../derive.ts';
import { moeUses } from '../rule.ts';
import type { ModelRule } from '../rule.ts';

export const sparsityNormalize: ModelRule = {
  name: 'sparsity-normalize',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const { router } of moeUses(ctx)) {
      const call = router.call;
      if (call.kind !== 'call' || call.callee !== 'token_choice') continue;
      const arg = routerArgs(call).get('normalize');
      if (arg?.value.kind === 'symbol' && arg.value.name === 'sparsity') {
        out.push(
          diagnostic('MOE0310', `normalize: sparsity is only available for expert_choice`, arg.value.span, {
            help: 'use expert_choice(normalize: sparsity, …), or normalize: softmax or sinkhorn for token choice',
          }),
        );
      }
    }
    return out;
  },
};

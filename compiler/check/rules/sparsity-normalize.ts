// The sparsity-constrained normalizer exists only for expert choice (routers.md §4.5).
// A token_choice rule (compiler/routers/token-choice.ts).
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import type { RouterRule } from '../../routers/definition.ts';

export const sparsityNormalize: RouterRule = {
  name: 'sparsity-normalize',
  check(router) {
    const out: Diagnostic[] = [];
    const arg = router.args.get('normalize');
    if (arg?.value.kind === 'symbol' && arg.value.name === 'sparsity') {
      out.push(
        diagnostic('MOE0310', `normalize: sparsity is only available for expert_choice`, arg.value.span, {
          help: 'use expert_choice(normalize: sparsity, …), or normalize: softmax or sinkhorn for token choice',
        }),
      );
    }
    return out;
  },
};

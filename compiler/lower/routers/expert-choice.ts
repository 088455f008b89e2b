// Expert Choice routers (routers.md §4.3 Softmax EC, §4.4 Sinkhorn EC, §4.5
// Sparsity-constrained EC): every expert takes its top-C tokens by a score
// (softmax gates, Sinkhorn plan, or k-sparse OT plan); combine weights are the
// softmax gates (or the plan). Perfectly balanced, no drops, no aux loss.
import type { GraphBuilder, Ref } from '../../graph/builder.ts';
import {
  combineFromWeights,
  differentiableSinkhorn,
  expertChoiceDispatch,
  lossFreeStats,
  noisyLogits,
  routerLogits,
  type RouterDecision,
  type RoutingShape,
} from './common.ts';

/** vmoe defaults of the sparse OT solver (routers.md §4.5). */
export const SPARSE_OT_DEFAULTS = { lr: 1e-2, tol: 1e-3, gamma: 1 } as const;

/** What the expert-choice lowering reads of its config (compiler/routers/expert-choice.ts). */
export interface ExpertChoiceLowering {
  readonly normalize: 'softmax' | 'sinkhorn' | 'sparsity';
  readonly experts: number;
  readonly capacity: number;
  readonly noise: number;
  readonly iterations: number;
  readonly combine: 'softmax' | 'plan';
}

export function lowerExpertChoice(b: GraphBuilder, x2d: Ref, router: ExpertChoiceLowering, shape: RoutingShape): RouterDecision {
  const logits = routerLogits(b, x2d, shape);
  const debug: Record<string, Ref> = { logits };
  let scores: Ref;
  let weights: Ref;
  if (router.normalize === 'sparsity') {
    // No noise in this router; the OT similarity is the softmax probabilities.
    const gates = b.softmax(logits, 'gates');
    const plan = b.sparseOtPlan(gates, { iterations: router.iterations, capacity: router.capacity, ...SPARSE_OT_DEFAULTS }, 'plan');
    debug.gates = gates;
    debug.plan = plan;
    scores = plan;
    weights = router.combine === 'plan' ? plan : gates;
  } else {
    const noisy = noisyLogits(b, logits, router.noise / router.experts);
    if (noisy !== logits) debug.logits_noisy = noisy;
    const gates = b.softmax(noisy, 'gates');
    debug.gates = gates;
    if (router.normalize === 'sinkhorn') {
      const plan = b.sinkhornPlan(noisy, router.iterations, 'plan');
      debug.plan = plan;
      scores = plan;
      weights = router.combine === 'plan' ? differentiableSinkhorn(b, noisy, router.iterations) : gates;
    } else {
      scores = gates;
      weights = gates;
    }
  }
  const { dispatch, dispatchT, selected } = expertChoiceDispatch(b, scores, router.capacity);
  const combine = combineFromWeights(b, dispatch, weights);
  debug.selected_tokens = selected;
  debug.experts_per_token = b.sum(dispatch, [2, 3], false, 'experts_per_token');

  const { auxLoss, stats } = lossFreeStats(b, dispatch, dispatch);
  return { dispatch, combine, dispatchT, auxLoss, stats, debug };
}

// Random Expert Choice, a study baseline: every expert takes C tokens of its group
// chosen uniformly at random instead of by its scores, so comparing it with Softmax
// EC measures what learned selection buys. The combine weights are the softmax
// gates, as in Softmax EC, so the router is trained through them alone.
//
// The choice is the top-C per expert of random scores (ties impossible in
// practice): in training fresh N(0,1) scores every step (seeded by the model seed,
// the stream and the step); in evaluation one fixed draw, a non-trainable table
// [S,E] initialised from the model seed. The table is scaled 1e-3 so that in
// training the fresh scores dominate it (the choice stays uniform up to that bias).
import type { GraphBuilder, Ref } from '../../graph/builder.ts';
import { combineFromWeights, expertChoiceDispatch, lossFreeStats, routerLogits, type RouterDecision, type RoutingShape } from './common.ts';

/** What the random expert-choice lowering reads of its config (compiler/routers/random-expert-choice.ts). */
export interface RandomExpertChoiceLowering {
  /** Slots per expert per group C. */
  readonly capacity: number;
}

/** Std of the fixed evaluation draw, relative to the N(0,1) training scores. */
export const FIXED_DRAW_STD = 1e-3;

export function lowerRandomExpertChoice(b: GraphBuilder, x2d: Ref, router: RandomExpertChoiceLowering, shape: RoutingShape): RouterDecision {
  const { groups: G, groupSize: S, experts: E } = shape;
  const logits = routerLogits(b, x2d, shape);
  const gates = b.softmax(logits, 'gates');
  // Inside the `router` scope: `<block>/moe/router/random_scores`, not trained, not a parameter in the cost model.
  const draw = b.param('random_scores', [S, E], { kind: 'normal', std: FIXED_DRAW_STD }, { trainable: false });
  const fixed = b.broadcastTo(b.reshape(draw, [1, S, E]), [G, S, E], 'fixed_scores');
  const scores = b.addNoise(fixed, 1, `${b.currentScope}/random_routing`, 'scores');
  const { dispatch, dispatchT, selected } = expertChoiceDispatch(b, scores, router.capacity);
  const combine = combineFromWeights(b, dispatch, gates);
  const debug: Record<string, Ref> = {
    logits,
    gates,
    scores,
    selected_tokens: selected,
    experts_per_token: b.sum(dispatch, [2, 3], false, 'experts_per_token'),
  };
  const { auxLoss, stats } = lossFreeStats(b, dispatch, dispatch);
  return { dispatch, combine, dispatchT, auxLoss, stats, debug };
}

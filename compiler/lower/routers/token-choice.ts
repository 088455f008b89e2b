// Token Choice routers (routers.md §4.1 Softmax TC, §4.2 Sinkhorn TC): every
// token picks its top-k experts by a score (softmax gates or Sinkhorn plan);
// buffer slots are filled choice level by choice level, optionally in Batch
// Priority order; choices beyond the capacity C are dropped.
import type { GraphBuilder, Ref } from '../../graph/builder.ts';
import type { RoutingStatRef } from '../../graph/ir.ts';
import {
  choicePositions,
  combineFromWeights,
  cvSquared,
  differentiableSinkhorn,
  loadAndExpertsPerToken,
  meanOverGroups,
  noisyLogits,
  routerLogits,
  slotsOneHot,
  stat,
  type RouterDecision,
  type RoutingShape,
} from './common.ts';

/** Dispatch of a token-choice selection by `scores` [G,S,E] (no gradient: pure selection). */
export function tokenChoiceDispatch(
  b: GraphBuilder,
  scores: Ref,
  options: { k: number; capacity: number; bpr: boolean },
): { dispatch: Ref; kept: Ref; choices: Ref } {
  const [, , E] = scores.shape as [unknown, number, number];
  const { k, capacity } = options;
  if (k > E) throw new Error(`token choice k=${k} exceeds the number of experts ${E}`);
  const choiceIdx = b.topKIndices(scores, k, 'choices'); // [G,S,k]
  const choices = b.oneHot(choiceIdx, E, 'choices_one_hot'); // [G,S,k,E]
  const priority = options.bpr ? b.reshape(b.topKValues(scores, 1, 'bpr_priority'), scores.shape.slice(0, 2)) : undefined;
  const positions = choicePositions(b, choices, priority); // [G,S,k,E], −1 off the choice
  const keptPerExpert = b.mul(choices, b.less(positions, capacity));
  const kept = b.sum(keptPerExpert, [3], false, 'kept'); // [G,S,k]
  // A token picks an expert at most once, so the max over k is that choice's position.
  const positionPerExpert = b.max(positions, [2], false, 'positions'); // [G,S,E]
  const dispatch = slotsOneHot(b, positionPerExpert, capacity, 'dispatch');
  return { dispatch, kept, choices };
}

/**
 * Load-balancing loss of V-MoE (routers.md §4.1): probability that each expert
 * stays in a token's top-k if the noise were redrawn, CV² of its mean per group.
 */
function loadLoss(b: GraphBuilder, logits: Ref, noisy: Ref, sigma: number, k: number): Ref {
  const [G, S, E] = logits.shape;
  // Threshold = the k-th largest noisy logit, read through a one-hot so it keeps its gradient.
  const kth = b.slice(b.topKIndices(noisy, k), [0, 0, k - 1], [G, S, 1]);
  const thresholdMask = b.reshape(b.oneHot(kth, E as number), [G, S, E]);
  const threshold = b.sum(b.mul(thresholdMask, noisy), [2], true);
  const z = b.div(b.sub(threshold, logits), sigma);
  const phi = b.mul(b.addT(b.erf(b.mul(z, Math.SQRT1_2)), 1), 0.5);
  const p = b.sub(1, phi);
  return cvSquared(b, b.mean(p, [1]), 'load_loss_per_group');
}

/** What the token-choice lowering reads of its config (compiler/routers/token-choice.ts). */
export interface TokenChoiceLowering {
  readonly normalize: 'softmax' | 'sinkhorn';
  readonly experts: number;
  readonly k: number;
  readonly capacity: number;
  readonly bpr: boolean;
  readonly noise: number;
  readonly importanceLoss: number;
  readonly loadLoss: number;
  readonly iterations: number;
  readonly combine: 'softmax' | 'plan';
}

export function lowerTokenChoice(b: GraphBuilder, x2d: Ref, router: TokenChoiceLowering, shape: RoutingShape): RouterDecision {
  const E = router.experts;
  const sigma = router.noise / E;
  const logits = routerLogits(b, x2d, shape);
  const noisy = noisyLogits(b, logits, sigma);
  const cleanGates = b.softmax(logits, 'gates_clean');
  const debug: Record<string, Ref> = { logits, gates: cleanGates };
  if (noisy !== logits) debug.logits_noisy = noisy;
  let scores: Ref;
  let weights: Ref;
  if (router.normalize === 'sinkhorn') {
    const plan = b.sinkhornPlan(noisy, router.iterations, 'plan');
    debug.plan = plan;
    scores = plan;
    // vmoe quirk (routers.md §4.2): the combine softmax uses the clean logits even with noise on.
    weights = router.combine === 'plan' ? differentiableSinkhorn(b, noisy, router.iterations) : cleanGates;
  } else {
    // Softmax TC selects and combines with the (noisy, in training) softmax gates.
    const gates = noisy === logits ? cleanGates : b.softmax(noisy, 'gates');
    debug.gates = gates;
    scores = gates;
    weights = gates;
  }

  const { dispatch, kept } = tokenChoiceDispatch(b, scores, { k: router.k, capacity: router.capacity, bpr: router.bpr });
  const combine = combineFromWeights(b, dispatch, weights);
  debug.kept = kept;

  const stats: RoutingStatRef[] = [];
  const losses: Ref[] = [];
  // Importance (pre-noise gates) and load (noise on) losses; Sinkhorn TC computes them too
  // but its default weights are 0 (routers.md §4.2).
  const importance = cvSquared(b, b.sum(cleanGates, [1]), 'importance_loss_per_group');
  const importanceMean = meanOverGroups(b, importance, 'stat_importance_loss');
  stats.push(stat('importance_loss', importanceMean));
  debug.importance_loss = importance;
  if (router.importanceLoss !== 0) losses.push(b.mul(importanceMean, router.importanceLoss));
  if (sigma > 0) {
    const load = loadLoss(b, logits, noisy, sigma, router.k);
    const loadMean = meanOverGroups(b, load, 'stat_load_loss');
    stats.push(stat('load_loss', loadMean));
    debug.load_loss = load;
    if (router.loadLoss !== 0) losses.push(b.mul(loadMean, router.loadLoss));
  }
  const auxLoss = losses.length === 0 ? b.constant(0) : losses.reduce((acc, l) => b.addT(acc, l));
  const auxNamed = b.mul(auxLoss, 1, 'stat_aux_loss');
  stats.push(stat('aux_loss', auxNamed));

  const { load, expertsPerToken } = loadAndExpertsPerToken(b, dispatch, dispatch);
  const dropped = b.sub(1, b.mean(kept, [0, 1, 2]), 'stat_dropped');
  stats.push(stat('load', load), stat('dropped', dropped), stat('experts_per_token', expertsPerToken));
  return { dispatch, combine, auxLoss: auxNamed, stats, debug };
}

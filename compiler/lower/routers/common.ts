// Pieces shared by the routers (routers.md §1, §3–§4): the router's decision
// (dispatch and combine tensors, aux loss, statistics) and the helpers that
// several router families use — logits, noise, capacity-ordered slot positions,
// expert-choice selection, coefficient of variation, statistics.
import type { GraphBuilder, Ref } from '../../graph/builder.ts';
import type { Dim, RoutingStatRef } from '../../graph/ir.ts';

/** Sizes of one MoE layer's routing problem. */
export interface RoutingShape {
  /** Number of groups (symbolic: B·T/S). */
  readonly groups: Dim;
  /** Tokens per group S. */
  readonly groupSize: number;
  readonly experts: number;
  /** Slots per expert per group C (Soft MoE: P). */
  readonly capacity: number;
  readonly width: number;
}

/** What a router decides (routers.md §1): the dispatcher only reads this. */
export interface RouterDecision {
  /** D [G,S,E,C]: 0/1 for sparse routers, a distribution over tokens per slot for Soft MoE. */
  readonly dispatch: Ref;
  /** Cw [G,S,E,C]. */
  readonly combine: Ref;
  /** Dᵀ flattened, [G,E·C,S], when the router builds it natively (saves a transpose). */
  readonly dispatchT?: Ref;
  /** Scalar: weighted aux losses averaged over groups (0 when the router has none). */
  readonly auxLoss: Ref;
  readonly stats: RoutingStatRef[];
  /** Named intermediate values (logits, gates, plan, kept, …) for tests and reports. */
  readonly debug: Record<string, Ref>;
}

/** Router logits X·W as one plain 2-D product, reshaped to [G,S,E]. */
export function routerLogits(b: GraphBuilder, x2d: Ref, shape: RoutingShape): Ref {
  // Called inside the `router` scope: the parameter is `<block>/moe/router/kernel`.
  const kernel = b.param('kernel', [shape.width, shape.experts], { kind: 'lecun_normal', fanInAxes: [0] }, { decay: true });
  const flat = b.matmul(x2d, kernel, 'router_logits_2d');
  return b.reshape(flat, [shape.groups, shape.groupSize, shape.experts], 'logits');
}

/** Training noise on the logits (identity in evaluation): σ·N(0,1), stream named after the scope. */
export function noisyLogits(b: GraphBuilder, logits: Ref, std: number): Ref {
  if (!(std > 0)) return logits;
  return b.addNoise(logits, std, `${b.currentScope}/router_noise`, 'logits_noisy');
}

/** Coefficient of variation squared of x [G,E] along the experts, per group: var/mean² (population). */
export function cvSquared(b: GraphBuilder, x: Ref, hint: string): Ref {
  const mean = b.mean(x, [1], true);
  const variance = b.mean(b.square(b.sub(x, mean)), [1]);
  return b.div(variance, b.square(b.reshape(mean, [x.shape[0]])), hint);
}

/** Mean over the groups of a per-group loss [G] → scalar. */
export function meanOverGroups(b: GraphBuilder, perGroup: Ref, hint: string): Ref {
  return b.mean(perGroup, [0], false, hint);
}

/**
 * Slot positions of token-choice selections (routers.md §4.1 step 3, §10).
 * `choices` [G,S,k,E] is the one-hot of each token's j-th choice. Choices are
 * served level by level (all first choices, then all second …); within a level
 * in token order, or — when `priority` [G,S] is given (BPR) — in decreasing
 * order of priority (stable: ties keep token order). Returns, per choice, the
 * 0-based position in its expert's buffer, −1 where the one-hot is 0: [G,S,k,E].
 */
export function choicePositions(b: GraphBuilder, choices: Ref, priority: Ref | undefined): Ref {
  const [G, S, k, E] = choices.shape as [Dim, number, number, number];
  let ordered = choices;
  let perm: Ref | undefined;
  if (priority) {
    // Stable descending sort as a permutation matrix: row r = one-hot of the r-th token.
    const order = b.topKIndices(priority, S, 'bpr_order');
    perm = b.oneHot(order, S, 'bpr_permutation'); // [G,S(rank),S(token)]
    const flat = b.reshape(choices, [G, S, k * E]);
    ordered = b.reshape(b.batchMatmul(perm, flat, {}, 'bpr_sorted_choices'), [G, S, k, E]);
  }
  const byLevel = b.reshape(b.transpose(ordered, [0, 2, 1, 3]), [G, k * S, E]);
  const counts = b.cumsum(byLevel, 1, false, 'choice_counts');
  const positions = b.sub(b.mul(counts, byLevel), 1); // −1 where not chosen
  let perToken = b.transpose(b.reshape(positions, [G, k, S, E]), [0, 2, 1, 3]); // [G,S(sorted),k,E]
  if (perm) {
    // Undo the sort: permᵀ · sorted moves every row back to its token (−1 entries included).
    // (explicit transpose: products with transpose flags are slow on wasm)
    const inverse = b.transpose(perm, [0, 2, 1], 'bpr_inverse');
    const back = b.batchMatmul(inverse, b.reshape(perToken, [G, S, k * E]), {}, 'bpr_unsorted');
    perToken = b.reshape(back, [G, S, k, E]);
  }
  return perToken;
}

/** One-hot over the C slots of positions in [0, C); −1 and positions ≥ C give zeros (masked explicitly). */
export function slotsOneHot(b: GraphBuilder, positions: Ref, capacity: number, hint: string): Ref {
  const inRange = b.mul(b.greaterEqual(positions, 0), b.less(positions, capacity));
  const safe = b.where(inRange, positions, b.constant(-1));
  return b.mul(b.oneHot(b.cast(safe, 'int32'), capacity), b.reshape(inRange, [...inRange.shape, 1]), hint);
}

/**
 * Expert-choice selection: each expert takes the C tokens with the largest
 * `scores[:, e]` (ties → lower token index); slot c holds its c-th best token.
 * Returns the dispatch [G,S,E,C], its native transpose [G,E·C,S] and the selected indices [G,E,C].
 */
export function expertChoiceDispatch(b: GraphBuilder, scores: Ref, capacity: number): { dispatch: Ref; dispatchT: Ref; selected: Ref } {
  const [G, S, E] = scores.shape as [Dim, number, number];
  if (capacity > S) {
    throw new Error(`expert choice capacity ${capacity} exceeds the group size ${S}: lower capacity_factor or enlarge the group`);
  }
  const byExpert = b.transpose(scores, [0, 2, 1]); // [G,E,S]
  const selected = b.topKIndices(byExpert, capacity, 'selected_tokens'); // [G,E,C]
  const slots = b.oneHot(selected, S, 'selected_one_hot'); // [G,E,C,S]
  const dispatchT = b.reshape(slots, [G, E * capacity, S]);
  const dispatch = b.transpose(slots, [0, 3, 1, 2], 'dispatch'); // [G,S,E,C]
  return { dispatch, dispatchT, selected };
}

/** Cw = D ⊙ w with a per-(token, expert) weight w [G,S,E] broadcast over slots. */
export function combineFromWeights(b: GraphBuilder, dispatch: Ref, weights: Ref): Ref {
  return b.mul(dispatch, b.reshape(weights, [...weights.shape, 1]), 'combine');
}

/**
 * Per-expert load [E] (fraction of the routed tokens, or of the combine mass,
 * that each expert receives over the batch) and the mean number of experts per token.
 */
export function loadAndExpertsPerToken(b: GraphBuilder, assignment: Ref, dispatch: Ref): { load: Ref; expertsPerToken: Ref } {
  const perExpert = b.sum(assignment, [0, 1, 3]); // [E]
  const total = b.sum(perExpert, [0], true);
  const load = b.div(perExpert, b.maximum(total, 1e-9), 'stat_load');
  const usesExpert = b.max(b.greater(dispatch, 0), [3]); // [G,S,E]
  const expertsPerToken = b.mean(b.sum(usesExpert, [2]), [0, 1], false, 'stat_experts_per_token');
  return { load, expertsPerToken };
}

export function stat(name: RoutingStatRef['name'], ref: Ref): RoutingStatRef {
  return { name, node: ref.id };
}

/**
 * Aux loss and statistics of a router that never drops a token and has no
 * auxiliary loss (expert choice, Soft MoE): load and experts per token from
 * `assignment` and `dispatch`, `dropped` and `aux_loss` zero.
 */
export function lossFreeStats(b: GraphBuilder, assignment: Ref, dispatch: Ref): { auxLoss: Ref; stats: RoutingStatRef[] } {
  const { load, expertsPerToken } = loadAndExpertsPerToken(b, assignment, dispatch);
  const auxLoss = b.constant(0);
  const stats = [
    stat('load', load),
    stat('dropped', b.mul(auxLoss, 1, 'stat_dropped')),
    stat('experts_per_token', expertsPerToken),
    stat('aux_loss', b.mul(auxLoss, 1, 'stat_aux_loss')),
  ];
  return { auxLoss, stats };
}

/**
 * The Sinkhorn plan as differentiable graph ops (log-domain, same iterates and
 * update order as the `sinkhorn_plan` kernel). Used only as combine weights with
 * `combine: plan`, so the router trains through the plan (vmoe differentiates it
 * implicitly); the selection itself always reads the selection-only kernel.
 */
export function differentiableSinkhorn(b: GraphBuilder, logits: Ref, iterations: number): Ref {
  const [, S, E] = logits.shape as [Dim, number, number];
  const logB = Math.log(S / E);
  let f: Ref | undefined;
  let g: Ref | undefined;
  for (let i = 0; i < iterations; i++) {
    g = b.sub(logB, b.logsumexp(f ? b.addT(logits, f) : logits, 1, true)); // [G,1,E]
    f = b.neg(b.logsumexp(b.addT(logits, g), 2, true)); // [G,S,1]
  }
  if (!f || !g) return b.softmax(logits); // 0 iterations is refused by the checker; keep a defined result
  return b.exp(b.addT(b.addT(logits, f), g), 'plan_differentiable');
}

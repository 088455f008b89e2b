// The one shared dispatcher of the unified formulation (routers.md §1): moves
// tokens into expert slots (X̃ = Dᵀ X per group), runs the experts (one 2-D
// product per expert: `expert_matmul`) and combines back (Y = Cw · f(X̃)).
// Routers never touch this file; this file never looks at which router decided.
import type { GraphBuilder, Ref } from '../graph/builder.ts';
import type { Dim } from '../graph/ir.ts';
import { mulDim } from '../graph/dims.ts';
import type { RouterDecision, RoutingShape } from './routers/common.ts';

export interface ExpertsConfig {
  /** Hidden width H of every expert MLP. */
  readonly hidden: number;
  /** GELU form: tanh approximation (flax default, true) or exact erf (false). */
  readonly geluApproximate: boolean;
}

/** The experts' parameters: ViT MlpBlock per expert, all experts initialised identically (vmoe split_rngs=False). */
function expertParams(b: GraphBuilder, E: number, d: number, H: number): { w1: Ref; b1: Ref; w2: Ref; b2: Ref } {
  return b.scope('experts', () => ({
    w1: b.param('w1', [E, d, H], { kind: 'xavier_uniform', fanInAxes: [1], fanOutAxes: [2] }, { decay: true, shareAlongAxis0: true }),
    b1: b.param('b1', [E, 1, H], { kind: 'normal', std: 1e-6 }, { shareAlongAxis0: true }),
    w2: b.param('w2', [E, H, d], { kind: 'xavier_uniform', fanInAxes: [1], fanOutAxes: [2] }, { decay: true, shareAlongAxis0: true }),
    b2: b.param('b2', [E, 1, d], { kind: 'normal', std: 1e-6 }, { shareAlongAxis0: true }),
  }));
}

/**
 * Runs the decision: `xg` [G,S,d] grouped tokens → [G,S,d] layer output.
 * Returns the expert inputs/outputs too ([G,E·C,d] refs) and the expert parameters' names.
 */
export function dispatchAndCombine(
  b: GraphBuilder,
  xg: Ref,
  decision: RouterDecision,
  shape: RoutingShape,
  experts: ExpertsConfig,
): { y: Ref; expertInputs: Ref; expertOutputs: Ref; expertParams: string[] } {
  const { groups: G, groupSize: S, experts: E, capacity: C, width: d } = shape;
  const EC = E * C;
  const GC: Dim = mulDim(G, C);
  // Parameters live at `<layer>/experts/…`; the data movement at `<layer>/dispatcher/…`.
  const { w1, b1, w2, b2 } = expertParams(b, E, d, experts.hidden);
  const names = [w1, b1, w2, b2].map((p) => b.paramName(p));
  return b.scope('dispatcher', () => {
    // Dᵀ as [G,E·C,S] without transpose flags (slow on wasm): routers that build it natively hand it over.
    const dispatchT = decision.dispatchT ?? b.transpose(b.reshape(decision.dispatch, [G, S, EC]), [0, 2, 1], 'dispatch_t');
    const slotsIn = b.batchMatmul(dispatchT, xg, {}, 'expert_inputs'); // [G,E·C,d]
    const perExpert = b.reshape(b.transpose(b.reshape(slotsIn, [G, E, C, d]), [1, 0, 2, 3]), [E, GC, d]);

    const hidden = b.gelu(b.addT(b.expertMatmul(perExpert, w1, 'expert_fc1'), b1), experts.geluApproximate, 'expert_gelu');
    const out = b.addT(b.expertMatmul(hidden, w2, 'expert_fc2'), b2, 'expert_outputs'); // [E,G·C,d]

    const slotsOut = b.reshape(b.transpose(b.reshape(out, [E, G, C, d]), [1, 0, 2, 3]), [G, EC, d]);
    const combine = b.reshape(decision.combine, [G, S, EC]);
    const y = b.batchMatmul(combine, slotsOut, {}, 'combined'); // [G,S,d]
    return { y, expertInputs: slotsIn, expertOutputs: slotsOut, expertParams: names };
  });
}

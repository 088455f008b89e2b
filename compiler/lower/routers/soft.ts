// Soft MoE (routers.md §4.6): every slot is a softmax-weighted mix of the
// group's tokens (dispatch: softmax over tokens) and every token a mix of all
// E·P slot outputs (combine: softmax over slots). Logits are a scaled cosine
// similarity between tokens and learned slot embeddings. Nothing is dropped.
import type { GraphBuilder, Ref } from '../../graph/builder.ts';
import { lossFreeStats, noisyLogits, type RouterDecision, type RoutingShape } from './common.ts';

/** L2 normalisation with eps inside the square root (vmoe: sqrt(Σv² + 1e-6)). */
function l2Normalize(b: GraphBuilder, x: Ref, axis: number, hint: string): Ref {
  return b.mul(x, b.rsqrt(b.addT(b.sum(b.square(x), [axis], true), 1e-6)), hint);
}

/** What the Soft MoE lowering reads of its config (compiler/routers/soft.ts). */
export interface SoftLowering {
  /** Slots per expert P. */
  readonly slots: number;
  /** Noise std on the logits in training (not divided by E). */
  readonly noise: number;
}

export function lowerSoftRouter(b: GraphBuilder, x2d: Ref, router: SoftLowering, shape: RoutingShape): RouterDecision {
  const { groups: G, groupSize: S, experts: E, width: d } = shape;
  const P = router.slots;
  const slots = E * P;
  // Inside the `router` scope: `<block>/moe/router/mu` and `…/router/scale`.
  const mu = b.param('mu', [d, E, P], { kind: 'lecun_normal', fanInAxes: [0] }, { decay: true });
  const scale = b.param('scale', [], { kind: 'ones' }, { decay: true });
  const xn = l2Normalize(b, x2d, 1, 'x_normalized'); // [N,d]
  const mun = l2Normalize(b, b.reshape(mu, [d, slots]), 0, 'mu_normalized'); // [d,E·P]
  const cosine = b.matmul(xn, mun, 'cosine'); // [N,E·P], plain 2-D product
  const scaled = b.mul(cosine, scale);
  const logitsFlat = b.reshape(scaled, [G, S, slots]);
  const logits = noisyLogits(b, logitsFlat, router.noise); // not divided by E (§4.6)

  const combineFlat = b.softmax(logits, 'combine_flat'); // over all E·P slots
  const dispatchT = b.softmax(b.transpose(logits, [0, 2, 1]), 'dispatch_t'); // [G,E·P,S], over tokens
  const dispatch = b.reshape(b.transpose(dispatchT, [0, 2, 1]), [G, S, E, P], 'dispatch');
  const combine = b.reshape(combineFlat, [G, S, E, P], 'combine');

  const { auxLoss, stats } = lossFreeStats(b, combine, dispatch);
  const debug = { logits: b.reshape(logitsFlat, [G, S, E, P], 'logits') };
  return { dispatch, combine, dispatchT, auxLoss, stats, debug };
}

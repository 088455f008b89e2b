// Token Choice (routers.md §4.1 Softmax TC, §4.2 Sinkhorn TC): every token picks
// its top-k experts; choices beyond an expert's capacity are dropped.
import { enumOf, float, int } from '../check/types.ts';
import { lowerTokenChoice } from '../lower/routers/token-choice.ts';
import { kWithinExperts } from '../check/rules/k-within-experts.ts';
import { sparsityNormalize } from '../check/rules/sparsity-normalize.ts';
import type { Rounding } from './config.ts';
import { factorCapacity } from './capacity.ts';
import { defineRouter } from './definition.ts';
import { CAPACITY, COMBINE, EXPERTS, GROUP, ITERATIONS, MULTIPLE_OF, NOISE, ROUNDING, floatText } from './params.ts';

/** `token_choice(normalize: softmax|sinkhorn, …)`. */
export interface TokenChoiceRouter {
  readonly family: 'token_choice';
  readonly normalize: 'softmax' | 'sinkhorn';
  readonly experts: number;
  readonly k: number;
  readonly capacityFactor: number;
  readonly rounding: Rounding;
  readonly multipleOf: number;
  /** Tokens per routing group S (resolved; default one image's tokens). */
  readonly group: number;
  /** Slots per expert per group C (routers.md §3), resolved from the above. */
  readonly capacity: number;
  readonly bpr: boolean;
  /** Training noise std multiplier; σ = noise / experts. */
  readonly noise: number;
  readonly importanceLoss: number;
  readonly loadLoss: number;
  /** Sinkhorn iterations (sinkhorn only, else unused). */
  readonly iterations: number;
  /** Combine weights from the softmax gates or the transport plan (sinkhorn only). */
  readonly combine: 'softmax' | 'plan';
}

declare module './config.ts' {
  interface RouterFamilies {
    token_choice: { config: TokenChoiceRouter; kind: 'softmax_token_choice' | 'sinkhorn_token_choice' };
  }
}

/** V-MoE's auxiliary loss weight, on by default only for the softmax normalizer. */
const auxDefault = (ctx: { get(name: string): unknown }) => (ctx.get('normalize') === 'softmax' ? 0.005 : 0);

export const tokenChoice = defineRouter({
  family: 'token_choice',
  label: 'Token Choice',
  doc: 'every token picks its top-k experts; choices past an expert’s capacity are dropped',
  reference: 'routers.md §4.1–4.2',
  example: 'token_choice(experts: 8)',
  params: {
    experts: EXPERTS,
    // `sparsity` (expert choice only) is explained by this family's sparsity-normalize rule.
    normalize: { type: enumOf('softmax', 'sinkhorn'), doc: 'normalizer', default: 'softmax', explained: ['sparsity'] },
    k: { type: int(1), doc: 'experts per token', default: 1 },
    capacity: CAPACITY,
    rounding: { ...ROUNDING, default: 'ceil' },
    multiple_of: { ...MULTIPLE_OF, default: 4 },
    group: GROUP,
    bpr: { type: { kind: 'bool' }, doc: 'Batch Priority Routing', default: false },
    noise: { ...NOISE, default: 1.0 },
    importance_loss: { type: float(0), doc: 'importance loss weight', default: auxDefault, defaultDoc: '0.005 with softmax, else 0' },
    load_loss: { type: float(0), doc: 'load loss weight', default: auxDefault, defaultDoc: '0.005 with softmax, else 0' },
    iterations: ITERATIONS,
    combine: COMBINE,
  },
  capacity: (s) => (s.group === undefined ? undefined : factorCapacity(s, s.group * s.num('k'), `S·k = ${s.group}·${s.num('k')}`)),
  resolve: (s, cap) => ({
    family: 'token_choice',
    normalize: s.str('normalize') as 'softmax' | 'sinkhorn',
    experts: s.experts!,
    k: s.num('k'),
    capacityFactor: s.num('capacity'),
    rounding: s.str('rounding') as Rounding,
    multipleOf: s.num('multiple_of'),
    group: s.group!,
    capacity: cap.capacity,
    bpr: s.bool('bpr'),
    noise: s.num('noise'),
    importanceLoss: s.num('importance_loss'),
    loadLoss: s.num('load_loss'),
    iterations: s.num('iterations'),
    combine: s.str('combine') as 'softmax' | 'plan',
  }),
  slots: (c) => c.capacity,
  // An upper bound: a dropped choice uses no expert.
  expertsPerToken: (c) => c.k,
  kind: (c) => (c.normalize === 'softmax' ? 'softmax_token_choice' : 'sinkhorn_token_choice'),
  kinds: {
    softmax_token_choice: {
      name: 'Softmax Token Choice',
      short: 'Softmax TC',
      spelling: 'token_choice(normalize: softmax)',
      selects: "each token's top-k softmax gates",
      combine: 'softmax gate',
      aux: 'importance + load',
      bench: (e) => `token_choice(normalize: softmax, experts: ${e}, k: 1)`,
    },
    sinkhorn_token_choice: {
      name: 'Sinkhorn Token Choice',
      short: 'Sinkhorn TC',
      spelling: 'token_choice(normalize: sinkhorn)',
      selects: "each token's top-k Sinkhorn plan entries",
      combine: 'softmax of the clean logits (or the plan)',
      aux: 'weights 0 by default',
      bench: (e) => `token_choice(normalize: sinkhorn, experts: ${e}, k: 1)`,
    },
  },
  format: (c) => [
    `experts: ${c.experts}`,
    `normalize: ${c.normalize}`,
    `k: ${c.k}`,
    `capacity: ${floatText(c.capacityFactor)}`,
    `rounding: ${c.rounding}`,
    `multiple_of: ${c.multipleOf}`,
    `group: ${c.group}`,
    `bpr: ${c.bpr}`,
    `noise: ${floatText(c.noise)}`,
    `importance_loss: ${floatText(c.importanceLoss)}`,
    `load_loss: ${floatText(c.loadLoss)}`,
    ...(c.normalize === 'sinkhorn' ? [`iterations: ${c.iterations}`, `combine: ${c.combine}`] : []),
  ],
  lower: lowerTokenChoice,
  rules: [sparsityNormalize, kWithinExperts],
});

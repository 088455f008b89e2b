// Expert Choice (routers.md §4.3 Softmax EC, §4.4 Sinkhorn EC, §4.5
// Sparsity-constrained EC): every expert takes its top-C tokens of a group.
import { enumOf } from '../check/types.ts';
import { lowerExpertChoice } from '../lower/routers/expert-choice.ts';
import type { Rounding } from './config.ts';
import { factorCapacity } from './capacity.ts';
import { defineRouter } from './definition.ts';
import { CAPACITY, COMBINE, EXPERTS, GROUP, ITERATIONS, MULTIPLE_OF, NOISE, ROUNDING, floatText } from './params.ts';

/** `expert_choice(normalize: softmax|sinkhorn|sparsity, …)`. */
export interface ExpertChoiceRouter {
  readonly family: 'expert_choice';
  readonly normalize: 'softmax' | 'sinkhorn' | 'sparsity';
  readonly experts: number;
  readonly capacityFactor: number;
  readonly rounding: Rounding;
  readonly multipleOf: number;
  readonly group: number;
  readonly capacity: number;
  readonly noise: number;
  /** Sinkhorn iterations, or the sparse-OT solver's maximum Adam steps. */
  readonly iterations: number;
  readonly combine: 'softmax' | 'plan';
}

declare module './config.ts' {
  interface RouterFamilies {
    expert_choice: {
      config: ExpertChoiceRouter;
      kind: 'softmax_expert_choice' | 'sinkhorn_expert_choice' | 'sparsity_constrained_expert_choice';
    };
  }
}

export const expertChoice = defineRouter({
  family: 'expert_choice',
  label: 'Expert Choice',
  doc: 'every expert takes its top-C tokens of a group: balanced, nothing dropped, no auxiliary loss',
  reference: 'routers.md §4.3–4.5',
  example: 'expert_choice(experts: 8)',
  params: {
    experts: EXPERTS,
    normalize: { type: enumOf('softmax', 'sinkhorn', 'sparsity'), doc: 'normalizer', default: 'softmax' },
    capacity: CAPACITY,
    rounding: { ...ROUNDING, default: 'round' },
    multiple_of: { ...MULTIPLE_OF, default: 1 },
    group: GROUP,
    noise: { ...NOISE, default: (ctx) => (ctx.get('normalize') === 'sparsity' ? 0 : 1.0), defaultDoc: '1.0 (softmax, sinkhorn)' },
    iterations: ITERATIONS,
    combine: COMBINE,
  },
  capacity: (s) => (s.group === undefined ? undefined : factorCapacity(s, s.group, `S = ${s.group}`, s.group)),
  resolve: (s, cap) => ({
    family: 'expert_choice',
    normalize: s.str('normalize') as ExpertChoiceRouter['normalize'],
    experts: s.experts!,
    capacityFactor: s.num('capacity'),
    rounding: s.str('rounding') as Rounding,
    multipleOf: s.num('multiple_of'),
    group: s.group!,
    capacity: cap.capacity,
    noise: s.num('noise'),
    iterations: s.num('iterations'),
    combine: s.str('combine') as 'softmax' | 'plan',
  }),
  slots: (c) => c.capacity,
  // The E experts take C of the S tokens each.
  expertsPerToken: (c) => (c.experts * c.capacity) / c.group,
  kind: (c) =>
    c.normalize === 'softmax' ? 'softmax_expert_choice' : c.normalize === 'sinkhorn' ? 'sinkhorn_expert_choice' : 'sparsity_constrained_expert_choice',
  kinds: {
    softmax_expert_choice: {
      name: 'Softmax Expert Choice',
      short: 'Softmax EC',
      spelling: 'expert_choice(normalize: softmax)',
      selects: "each expert's top-C tokens by softmax gate",
      combine: 'softmax gate',
      aux: 'none',
      bench: (e) => `expert_choice(normalize: softmax, experts: ${e})`,
    },
    sinkhorn_expert_choice: {
      name: 'Sinkhorn Expert Choice',
      short: 'Sinkhorn EC',
      spelling: 'expert_choice(normalize: sinkhorn)',
      selects: "each expert's top-C tokens by plan",
      combine: 'softmax gate (or the plan)',
      aux: 'none',
      bench: (e) => `expert_choice(normalize: sinkhorn, experts: ${e})`,
    },
    sparsity_constrained_expert_choice: {
      name: 'Sparsity-constrained Expert Choice',
      short: 'Sparsity EC',
      spelling: 'expert_choice(normalize: sparsity)',
      selects: "each expert's top-C tokens by a k-sparse OT plan",
      combine: 'softmax gate (or the plan)',
      aux: 'none',
      bench: (e) => `expert_choice(normalize: sparsity, experts: ${e})`,
    },
  },
  format: (c) => [
    `experts: ${c.experts}`,
    `normalize: ${c.normalize}`,
    `capacity: ${floatText(c.capacityFactor)}`,
    `rounding: ${c.rounding}`,
    `multiple_of: ${c.multipleOf}`,
    `group: ${c.group}`,
    ...(c.normalize !== 'sparsity' ? [`noise: ${floatText(c.noise)}`] : []),
    ...(c.normalize !== 'softmax' ? [`iterations: ${c.iterations}`, `combine: ${c.combine}`] : []),
  ],
  lower: lowerExpertChoice,
  rules: [],
});

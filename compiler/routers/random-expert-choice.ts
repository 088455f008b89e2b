// Random Expert Choice, a study baseline (not in the paper): every expert takes C
// tokens of its group uniformly at random (deterministic from the model seed);
// combine weights are the softmax gates. Balanced, nothing dropped, no aux loss.
import { lowerRandomExpertChoice } from '../lower/routers/random-expert-choice.ts';
import type { Rounding } from './config.ts';
import { factorCapacity } from './capacity.ts';
import { defineRouter } from './definition.ts';
import { CAPACITY, EXPERTS, GROUP, MULTIPLE_OF, ROUNDING, floatText } from './params.ts';

/** `random_expert_choice(experts, capacity, …)`. */
export interface RandomExpertChoiceRouter {
  readonly family: 'random_expert_choice';
  readonly experts: number;
  readonly capacityFactor: number;
  readonly rounding: Rounding;
  readonly multipleOf: number;
  readonly group: number;
  /** Slots per expert per group C. */
  readonly capacity: number;
}

declare module './config.ts' {
  interface RouterFamilies {
    random_expert_choice: { config: RandomExpertChoiceRouter; kind: 'random_expert_choice' };
  }
}

export const randomExpertChoice = defineRouter({
  family: 'random_expert_choice',
  label: 'Random Expert Choice',
  doc: 'baseline: every expert takes C tokens of a group uniformly at random (fresh each training step, one fixed draw in evaluation); softmax-gate combine weights',
  example: 'random_expert_choice(experts: 8)',
  params: {
    experts: EXPERTS,
    capacity: CAPACITY,
    rounding: { ...ROUNDING, default: 'round' },
    multiple_of: { ...MULTIPLE_OF, default: 1 },
    group: GROUP,
  },
  capacity: (s) => (s.group === undefined ? undefined : factorCapacity(s, s.group, `S = ${s.group}`, s.group)),
  resolve: (s, cap) => ({
    family: 'random_expert_choice',
    experts: s.experts!,
    capacityFactor: s.num('capacity'),
    rounding: s.str('rounding') as Rounding,
    multipleOf: s.num('multiple_of'),
    group: s.group!,
    capacity: cap.capacity,
  }),
  slots: (c) => c.capacity,
  // The E experts take C of the S tokens each, as in expert choice.
  expertsPerToken: (c) => (c.experts * c.capacity) / c.group,
  kind: () => 'random_expert_choice',
  kinds: {
    random_expert_choice: {
      name: 'Random Expert Choice (baseline)',
      short: 'Random EC',
      spelling: 'random_expert_choice(experts)',
      selects: 'C random tokens per expert (fresh each training step; one fixed draw from the model seed in evaluation)',
      combine: 'softmax gate',
      aux: 'none',
      bench: (e) => `random_expert_choice(experts: ${e})`,
    },
  },
  format: (c) => [`experts: ${c.experts}`, `capacity: ${floatText(c.capacityFactor)}`, `rounding: ${c.rounding}`, `multiple_of: ${c.multipleOf}`, `group: ${c.group}`],
  lower: lowerRandomExpertChoice,
  rules: [],
});

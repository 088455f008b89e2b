// Soft MoE (routers.md §4.6): every slot is a softmax-weighted mix of a group's
// tokens and every token a mix of all slot outputs; nothing is dropped.
import { float, int } from '../check/types.ts';
import { lowerSoftRouter } from '../lower/routers/soft.ts';
import { softSlotsCapacity } from '../check/rules/soft-slots-capacity.ts';
import type { Rounding } from './config.ts';
import { factorCapacity } from './capacity.ts';
import { defineRouter } from './definition.ts';
import { CAPACITY, EXPERTS, GROUP, ROUNDING, floatText } from './params.ts';

/** `soft(experts, slots | capacity, …)`. */
export interface SoftRouter {
  readonly family: 'soft';
  readonly experts: number;
  /** Slots per expert P (resolved from `slots` or `capacity`). */
  readonly slots: number;
  readonly capacityFactor: number;
  readonly rounding: Rounding;
  readonly group: number;
  /** Noise std on the logits in training (not divided by E). */
  readonly noise: number;
}

declare module './config.ts' {
  interface RouterFamilies {
    soft: { config: SoftRouter; kind: 'soft_moe' };
  }
}

export const soft = defineRouter({
  family: 'soft',
  label: 'Soft MoE',
  doc: 'every slot mixes all tokens of a group and every token mixes all slot outputs: dense, differentiable, nothing dropped',
  reference: 'routers.md §4.6',
  example: 'soft(experts: 8, slots: 1)',
  params: {
    experts: EXPERTS,
    capacity: CAPACITY,
    slots: { type: int(1), doc: 'slots per expert', defaultDoc: '1, or round(S·c/E) with capacity' },
    rounding: { ...ROUNDING, default: 'round' },
    group: GROUP,
    noise: { type: float(0), doc: 'training noise', default: 0 },
  },
  capacity: (s) => {
    if (s.experts === undefined || s.group === undefined) return undefined;
    if (!s.values.has('slots') && s.given.has('capacity')) return factorCapacity(s, s.group, `S = ${s.group}`);
    // `slots` when given, else 1 unless a capacity factor asks for round(S·c/E).
    const slots = (s.values.get('slots') as number | undefined) ?? 1;
    return {
      raw: slots,
      capacity: slots,
      effectiveFactor: (slots * s.experts) / s.group,
      tokensText: `S = ${s.group}`,
      numTokens: s.group,
      factor: s.num('capacity'),
      rounding: s.str('rounding') as Rounding,
      multipleOf: 1,
    };
  },
  resolve: (s, cap) => ({
    family: 'soft',
    experts: s.experts!,
    slots: cap.capacity,
    capacityFactor: s.given.has('capacity') && !s.values.has('slots') ? s.num('capacity') : cap.effectiveFactor,
    rounding: s.str('rounding') as Rounding,
    group: s.group!,
    noise: s.num('noise'),
  }),
  slots: (c) => c.slots,
  // Every slot mixes every token, so every expert contributes to every token's output.
  expertsPerToken: (c) => c.experts,
  kind: () => 'soft_moe',
  kinds: {
    soft_moe: {
      name: 'Soft MoE',
      short: 'Soft MoE',
      spelling: 'soft(experts, slots)',
      selects: 'every slot mixes all tokens',
      combine: 'softmax over all slots',
      aux: 'none',
      // ⌊T/E⌋ slots per expert: about T slots in all, the dense compute.
      bench: (e, t) => `soft(experts: ${e}, slots: ${Math.max(1, Math.floor(t / e))})`,
    },
  },
  format: (c) => [
    `experts: ${c.experts}`,
    // A factor the user gave (slots = round(S·c/E)) is printed as the factor, so it reads back unchanged.
    Math.abs(c.capacityFactor - (c.slots * c.experts) / c.group) < 1e-12 ? `slots: ${c.slots}` : `capacity: ${floatText(c.capacityFactor)}`,
    `rounding: ${c.rounding}`,
    `group: ${c.group}`,
    `noise: ${floatText(c.noise)}`,
  ],
  lower: lowerSoftRouter,
  rules: [softSlotsCapacity],
});

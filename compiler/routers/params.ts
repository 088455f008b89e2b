// Parameter specs several router families share (language.md §4); each family
// spreads them into its own table with its own default.
import { enumOf, float, int } from '../check/types.ts';
import type { RouterParam } from './definition.ts';

export const EXPERTS: RouterParam = { type: int(1), required: true, doc: 'number of experts' };
export const CAPACITY: RouterParam = { type: float(0, { minExclusive: true }), doc: 'capacity factor', default: 1.0 };
export const ROUNDING: RouterParam = { type: enumOf('ceil', 'round'), doc: 'capacity rounding' };
export const MULTIPLE_OF: RouterParam = { type: int(1), doc: 'slot multiple' };
export const GROUP: RouterParam = {
  type: int(1),
  doc: 'tokens per routing group',
  default: (ctx) => ctx.tokens,
  defaultDoc: "one image's tokens",
};
export const NOISE: RouterParam = { type: float(0), normalizers: ['softmax', 'sinkhorn'], doc: 'training noise' };
export const ITERATIONS: RouterParam = { type: int(1), normalizers: ['sinkhorn', 'sparsity'], doc: 'solver iterations', default: 20 };
export const COMBINE: RouterParam = { type: enumOf('softmax', 'plan'), normalizers: ['sinkhorn', 'sparsity'], doc: 'combine weights', default: 'softmax' };

/** A float parameter written so it never reads back as an integer expression. */
export function floatText(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

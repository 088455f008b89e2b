// Capacity arithmetic shared by the router families (routers.md §3): vmoe's
// compute_capacity and the capacity record the sparse routers report.
import type { Rounding } from './config.ts';
import type { CapacityResult, RouterCapacity, RouterSettings } from './definition.ts';

/** Python's round(): halves to even (vmoe's `ceil_or_round="round"`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export type { CapacityResult } from './definition.ts';

/** vmoe `compute_capacity(num_tokens, E, c, ceil_or_round, multiple_of)`. */
export function computeCapacity(numTokens: number, experts: number, factor: number, rounding: Rounding, multipleOf: number): CapacityResult {
  const exact = (numTokens * factor) / experts;
  // Guard against binary noise such as 6.000000000001 before ceil.
  const raw = rounding === 'ceil' ? Math.ceil(exact - 1e-9) : roundHalfEven(exact);
  const capacity = multipleOf > 1 && raw >= 1 ? Math.ceil(raw / multipleOf) * multipleOf : raw;
  return { raw, capacity, effectiveFactor: (capacity * experts) / numTokens };
}

/**
 * The capacity of a router that fills C slots per expert from `numTokens`
 * candidates with `capacity`, `rounding` and (when the family has it) `multiple_of`.
 */
export function factorCapacity(s: RouterSettings, numTokens: number, tokensText: string, limit?: number): RouterCapacity | undefined {
  if (s.experts === undefined || s.group === undefined) return undefined;
  const factor = s.num('capacity');
  const rounding = s.str('rounding') as Rounding;
  const multipleOf = s.values.has('multiple_of') ? s.num('multiple_of') : 1;
  return {
    ...computeCapacity(numTokens, s.experts, factor, rounding, multipleOf),
    tokensText,
    numTokens,
    factor,
    rounding,
    multipleOf,
    ...(s.given.has('capacity') ? { requested: factor } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

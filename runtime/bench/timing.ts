// Repeated timing of a piece of work: warm-up runs (kernel/XNNPACK operator caches,
// JIT), then `reps` timed runs. The clock is injectable so the logic is testable
// without depending on wall-clock speed.
import { summarize, type TimingSummary } from './stats.ts';

export type Clock = () => number;

export const wallClock: Clock = () => performance.now();

export interface MeasureOptions {
  readonly warmup?: number;
  readonly reps: number;
  readonly clock?: Clock;
}

/** Times `work` (sync or async) `reps` times after `warmup` untimed runs. */
export async function measure(work: () => unknown, options: MeasureOptions): Promise<TimingSummary> {
  const clock = options.clock ?? wallClock;
  if (!Number.isInteger(options.reps) || options.reps < 1) throw new Error(`reps must be a positive integer, got ${options.reps}`);
  for (let i = 0; i < (options.warmup ?? 1); i++) await work();
  const times: number[] = [];
  for (let i = 0; i < options.reps; i++) {
    const start = clock();
    await work();
    times.push(clock() - start);
  }
  return summarize(times);
}

/** Runs `a` and `b` alternately (a, b, a, b, …) so both see the same machine load; returns both summaries. */
export async function measurePair(
  a: () => unknown,
  b: () => unknown,
  options: MeasureOptions,
): Promise<{ a: TimingSummary; b: TimingSummary }> {
  const clock = options.clock ?? wallClock;
  for (let i = 0; i < (options.warmup ?? 1); i++) {
    await a();
    await b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < options.reps; i++) {
    let start = clock();
    await a();
    ta.push(clock() - start);
    start = clock();
    await b();
    tb.push(clock() - start);
  }
  return { a: summarize(ta), b: summarize(tb) };
}

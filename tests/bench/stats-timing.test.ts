import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate, formatRatio, median, ratio, summarize } from '../../runtime/bench/stats.ts';
import { measure, measurePair } from '../../runtime/bench/timing.ts';

/** A fake clock that advances only when work says so: timing logic without wall-clock speed. */
function fakeClock() {
  let now = 0;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

describe('stats', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });

  it('summarises timings and divides medians', () => {
    const s = summarize([30, 10, 20]);
    expect(s).toEqual({ medianMs: 20, minMs: 10, maxMs: 30, runs: 3 });
    expect(ratio(s, summarize([10, 10, 10]))).toBe(2);
    expect(ratio(5, 0)).toBeNaN();
  });

  it('states whether a target is met', () => {
    expect(formatRatio(1.1, 1.2)).toBe('1.10× (target ≤ 1.2×: met)');
    expect(formatRatio(1.3, 1.2)).toBe('1.30× (target ≤ 1.2×: missed)');
    expect(formatRatio(0.4, 0.5, 'min')).toBe('0.40× (target ≥ 0.5×: missed)');
    expect(formatRatio(Number.NaN)).toBe('n/a');
  });

  it('formats rates and sizes', () => {
    expect(formatRate(2.5e10)).toBe('25.0 GFLOP/s');
    expect(formatRate(999)).toBe('999.0 FLOP/s');
    expect(formatBytes(3 * 2 ** 20)).toBe('3.0 MiB');
  });
});

describe('measure', () => {
  it('runs the warm-ups untimed and reports the median of the timed runs', async () => {
    const { clock, advance } = fakeClock();
    const costs = [1000, 1000, 7, 3, 5]; // two warm-ups, then three timed runs
    let call = 0;
    const s = await measure(() => advance(costs[call++]!), { reps: 3, warmup: 2, clock });
    expect(call).toBe(5);
    expect(s).toEqual({ medianMs: 5, minMs: 3, maxMs: 7, runs: 3 });
  });

  it('awaits asynchronous work', async () => {
    const { clock, advance } = fakeClock();
    const s = await measure(async () => {
      await Promise.resolve();
      advance(4);
    }, { reps: 2, warmup: 0, clock });
    expect(s.medianMs).toBe(4);
  });

  it('rejects a non-positive repetition count', async () => {
    await expect(measure(() => 0, { reps: 0 })).rejects.toThrow(/reps/);
  });

  it('alternates the two sides and times each separately', async () => {
    const { clock, advance } = fakeClock();
    const order: string[] = [];
    const t = await measurePair(
      () => (order.push('a'), advance(10)),
      () => (order.push('b'), advance(2)),
      { reps: 2, warmup: 1, clock },
    );
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(t.a.medianMs).toBe(10);
    expect(t.b.medianMs).toBe(2);
  });
});

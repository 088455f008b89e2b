// Summaries of repeated timings: the median is the figure we report (robust to the
// odd slow run when other processes share the CPU); min/max show the spread.

export interface TimingSummary {
  /** Milliseconds, median of `runs`. */
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(timesMs: readonly number[]): TimingSummary {
  return { medianMs: median(timesMs), minMs: Math.min(...timesMs), maxMs: Math.max(...timesMs), runs: timesMs.length };
}

/** `a / b` of two medians, or NaN when b is not positive. */
export function ratio(a: TimingSummary | number, b: TimingSummary | number): number {
  const x = typeof a === 'number' ? a : a.medianMs;
  const y = typeof b === 'number' ? b : b.medianMs;
  return y > 0 ? x / y : Number.NaN;
}

/** A ratio against a "no more than" target: `1.07× (target ≤ 1.2×: met)`. */
export function formatRatio(value: number, target?: number, direction: 'max' | 'min' = 'max'): string {
  if (!Number.isFinite(value)) return 'n/a';
  const shown = `${value.toFixed(2)}×`;
  if (target === undefined) return shown;
  const met = direction === 'max' ? value <= target : value >= target;
  return `${shown} (target ${direction === 'max' ? '≤' : '≥'} ${target}×: ${met ? 'met' : 'missed'})`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

/** FLOP/s in engineering units: `23.4 GFLOP/s`. */
export function formatRate(flopsPerSecond: number, unit = 'FLOP/s'): string {
  if (!Number.isFinite(flopsPerSecond)) return 'n/a';
  const steps: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, prefix] of steps) if (Math.abs(flopsPerSecond) >= scale) return `${(flopsPerSecond / scale).toFixed(1)} ${prefix}${unit}`;
  return `${flopsPerSecond.toFixed(1)} ${unit}`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}

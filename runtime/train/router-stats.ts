// Routing statistics per MoE block, from ForwardResult.stats (`block_<i>/<stat>`).
// Accumulated as weighted means over steps or evaluation micro-batches, then
// summarised: per-expert load, its max/mean ratio and coefficient of variation
// (std/mean; 0 = perfectly balanced), dropped fraction, experts per token.
import type * as tf from '@tensorflow/tfjs';

export class StatsAccumulator {
  private readonly sums = new Map<string, Float64Array>();
  private weight = 0;

  /** Reads the tensors (synchronously) and adds them with weight `w`. Does not dispose them. */
  add(stats: ReadonlyMap<string, tf.Tensor>, w: number): void {
    this.addValues([...stats].map(([key, t]) => [key, t.dataSync()]), w);
  }

  /** `add` with asynchronous reads, for backends that cannot read synchronously (webgpu). */
  async addAsync(stats: ReadonlyMap<string, tf.Tensor>, w: number): Promise<void> {
    const values: [string, ArrayLike<number>][] = [];
    for (const [key, t] of stats) values.push([key, (await t.data()) as ArrayLike<number>]);
    this.addValues(values, w);
  }

  private addValues(values: readonly [string, ArrayLike<number>][], w: number): void {
    for (const [key, v] of values) {
      let sum = this.sums.get(key);
      if (!sum) this.sums.set(key, (sum = new Float64Array(v.length)));
      for (let i = 0; i < v.length; i++) sum[i]! += w * Number(v[i]);
    }
    this.weight += w;
  }

  get empty(): boolean {
    return this.weight === 0;
  }

  /** Flat record: scalars as numbers, `load` as an array plus load_max_over_mean and load_cv. */
  summary(): Record<string, number | number[]> {
    const out: Record<string, number | number[]> = {};
    if (this.weight === 0) return out;
    for (const [key, sum] of [...this.sums].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
      const mean = Array.from(sum, (s) => s / this.weight);
      const name = `router/${key}`;
      if (mean.length === 1) {
        out[name] = round(mean[0]!);
        continue;
      }
      out[name] = mean.map(round);
      if (key.endsWith('/load')) {
        const m = mean.reduce((a, b) => a + b, 0) / mean.length;
        const sd = Math.sqrt(mean.reduce((a, b) => a + (b - m) ** 2, 0) / mean.length);
        out[`${name}_max_over_mean`] = round(m > 0 ? Math.max(...mean) / m : 0);
        out[`${name}_cv`] = round(m > 0 ? sd / m : 0);
      }
    }
    return out;
  }

  reset(): void {
    this.sums.clear();
    this.weight = 0;
  }
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

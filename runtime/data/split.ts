// Deterministic, class-balanced, disjoint train/test selection for the bundled
// datasets: the test images are taken from the end of each class's list and the
// training images from the start, in proportion to the class sizes. The choice
// does not depend on the seed, so test sets are comparable across runs.
import { RuntimeFault } from '../train/fault.ts';
import { makeSplit, type Split } from './dataset.ts';
import type { Shape3 } from './conform.ts';

/** Largest-remainder allocation of `total` over classes in proportion to `available`, never above it. */
export function allocate(available: readonly number[], total: number): number[] {
  const sum = available.reduce((a, b) => a + b, 0);
  if (total > sum) throw new Error(`internal: cannot allocate ${total} of ${sum}`);
  if (sum === 0) return available.map(() => 0);
  const quotas = available.map((a) => (total * a) / sum);
  const out = quotas.map((q) => Math.floor(q));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left === 0) break;
    if (out[i]! < available[i]!) {
      out[i]!++;
      left--;
    }
  }
  return out;
}

export interface ClassPick {
  /** Per class: indices into that class's list, in order. */
  readonly train: number[][];
  readonly test: number[][];
}

/** Picks test images from the end and training images from the start of each class. */
export function pickSplit(name: string, perClass: readonly number[], train: number, test: number): ClassPick {
  const total = perClass.reduce((a, b) => a + b, 0);
  for (const [what, n] of [['train', train], ['test', test]] as const) {
    if (!Number.isInteger(n) || n < 1)
      throw new RuntimeFault('MOE0506', `${name}: ${what} must be a positive integer, got ${n}`);
  }
  if (train + test > total)
    throw new RuntimeFault(
      'MOE0506',
      `${name}: train ${train} + test ${test} = ${train + test} images, but the dataset holds only ${total}`,
      `choose train + test ≤ ${total}`,
    );
  const testCounts = allocate(perClass, test);
  const trainCounts = allocate(
    perClass.map((n, c) => n - testCounts[c]!),
    train,
  );
  return {
    train: trainCounts.map((k) => Array.from({ length: k }, (_, i) => i)),
    test: testCounts.map((k, c) => Array.from({ length: k }, (_, i) => perClass[c]! - k + i)),
  };
}

/** Interleaves per-class picks (class 0, 1, …, 9, 0, 1, …) into one ordered list of [class, index]. */
export function interleave(picks: readonly number[][]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const longest = Math.max(0, ...picks.map((p) => p.length));
  for (let i = 0; i < longest; i++) for (let c = 0; c < picks.length; c++) if (i < picks[c]!.length) out.push([c, picks[c]![i]!]);
  return out;
}

/**
 * A split from per-class picks in interleaved order: `write(c, i, out, offset)`
 * conforms image `i` of class `c` into `out` at `offset` (shape[0]·shape[1]·shape[2] floats).
 */
export function buildInterleavedSplit(picks: readonly number[][], shape: Shape3, write: (c: number, i: number, out: Float32Array, offset: number) => void): Split {
  const order = interleave(picks);
  const size = shape[0] * shape[1] * shape[2];
  const images = new Float32Array(order.length * size);
  const labels = new Int32Array(order.length);
  order.forEach(([c, i], n) => {
    write(c, i, images, n * size);
    labels[n] = c;
  });
  return makeSplit(images, labels);
}

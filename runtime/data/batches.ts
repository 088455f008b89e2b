// Training batches as a pure function of (seed, step): epoch e = ⌊step / stepsPerEpoch⌋
// uses its own seeded permutation of the training set, the last partial batch of an
// epoch is dropped, and augmentation is seeded by the step. A resumed run therefore
// sees exactly the batches an uninterrupted run would have seen.
import type { Split } from './dataset.ts';
import { permutation, rng, streamSeed } from './random.ts';

export interface Augmentation {
  /** Largest random shift in pixels along each axis (0 = off). Vacated pixels take `fill`. */
  readonly shift: number;
  /** The value of a vacated pixel (normalised black = −1). */
  readonly fill: number;
}

export const NO_AUGMENTATION: Augmentation = { shift: 0, fill: -1 };

/** A sensible default: ±2 px shifts for images up to 32 px a side (MNIST-sized), none above. */
export function defaultAugmentation(shape: readonly [number, number, number]): Augmentation {
  return { shift: Math.max(shape[0], shape[1]) <= 32 ? 2 : 0, fill: -1 };
}

export interface Batch {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
  readonly epoch: number;
  /** Index of the batch within its epoch. */
  readonly index: number;
}

export class BatchSource {
  readonly stepsPerEpoch: number;
  private cachedEpoch = -1;
  private order: Int32Array = new Int32Array(0);

  constructor(
    private readonly split: Split,
    private readonly shape: readonly [number, number, number],
    readonly batch: number,
    private readonly seed: number,
    private readonly augmentation: Augmentation,
  ) {
    this.stepsPerEpoch = Math.max(1, Math.floor(split.count / batch));
  }

  /** The batch of global step `step` (0-based). */
  at(step: number): Batch {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    const index = step % this.stepsPerEpoch;
    if (epoch !== this.cachedEpoch) {
      this.order = permutation(this.split.count, streamSeed(this.seed, 'data/order', epoch));
      this.cachedEpoch = epoch;
    }
    const size = Math.min(this.batch, this.split.count);
    const pixels = this.shape[0] * this.shape[1] * this.shape[2];
    const images = new Float32Array(size * pixels);
    const labels = new Int32Array(size);
    const random = rng(streamSeed(this.seed, 'data/augment', step));
    for (let k = 0; k < size; k++) {
      const i = this.order[index * this.batch + k]!;
      labels[k] = this.split.labels[i]!;
      const src = this.split.images.subarray(i * pixels, (i + 1) * pixels);
      if (this.augmentation.shift > 0) shiftImage(src, images, k * pixels, this.shape, this.augmentation, random);
      else images.set(src, k * pixels);
    }
    return { images, labels, size, epoch, index };
  }
}

function shiftImage(src: Float32Array, dst: Float32Array, offset: number, shape: readonly [number, number, number], aug: Augmentation, random: () => number): void {
  const [H, W, C] = shape;
  const s = aug.shift;
  const dy = Math.floor(random() * (2 * s + 1)) - s;
  const dx = Math.floor(random() * (2 * s + 1)) - s;
  for (let y = 0; y < H; y++) {
    const sy = y - dy;
    for (let x = 0; x < W; x++) {
      const sx = x - dx;
      const inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
      for (let c = 0; c < C; c++) dst[offset + (y * W + x) * C + c] = inside ? src[(sy * W + sx) * C + c]! : aug.fill;
    }
  }
}

// The in-memory dataset every loader produces. Images are NHWC float32, already
// normalised (see normalise below); labels are class indices.

export interface Split {
  /** N·H·W·C floats, normalised. */
  readonly images: Float32Array;
  /** N class indices in [0, classes). */
  readonly labels: Int32Array;
  readonly count: number;
}

export interface Dataset {
  readonly name: string;
  /** [height, width, channels] of every image. */
  readonly shape: readonly [number, number, number];
  /** Class names, index = label. */
  readonly classes: readonly string[];
  readonly train: Split;
  readonly test: Split;
}

/**
 * The one normalisation of moec: a pixel p in [0, 255] becomes (p/255 − 0.5)/0.5,
 * i.e. [−1, 1] with 0 for mid-grey. Inputs already in [0, 1] use normaliseUnit.
 */
export function normaliseByte(p: number): number {
  return (p / 255 - 0.5) / 0.5;
}

export function normaliseUnit(v: number): number {
  return (v - 0.5) / 0.5;
}

export function makeSplit(images: Float32Array, labels: Int32Array): Split {
  return { images, labels, count: labels.length };
}

/** Pixels per image. */
export function imageSize(shape: readonly [number, number, number]): number {
  return shape[0] * shape[1] * shape[2];
}

// The images a user hands to `moec routes`: each must already have the model's
// size (a routing picture of a resized image would show patches the model never
// saw) and channel count; then decoded exactly like the training data.
import sharp from 'sharp';
import { decodeImage } from '../data/folder.ts';
import type { Split } from '../data/dataset.ts';
import { RuntimeFault } from '../train/fault.ts';

export async function readRouteImages(files: readonly string[], shape: readonly [number, number, number], shown: (f: string) => string = (f) => f): Promise<Float32Array> {
  const [H, W, C] = shape;
  const size = H * W * C;
  const pixels = new Float32Array(files.length * size);
  for (const [i, file] of files.entries()) {
    let meta;
    try {
      meta = await sharp(file).metadata();
    } catch (e) {
      throw new RuntimeFault('MOE0502', `${shown(file)}: cannot read the image (${(e as Error).message.split('\n')[0]})`, 'give a PNG or JPEG file');
    }
    if (meta.width !== W || meta.height !== H)
      throw new RuntimeFault('MOE0702', `${shown(file)}: the image is ${meta.width}×${meta.height} pixels, the model takes ${W}×${H}`, `resize it to ${W}×${H} first (moec routes shows the patches the model sees, so it does not resize)`);
    try {
      pixels.set(await decodeImage(file, shape), i * size);
    } catch (e) {
      if (e instanceof RuntimeFault && e.code === 'MOE0503')
        throw new RuntimeFault('MOE0703', `${shown(file)}: ${e.message.replace(/^[^:]*: /, '')}`, e.help);
      throw e;
    }
  }
  return pixels;
}

/** The first `n` images of a split (normalised pixels and labels). */
export function firstImages(split: Split, shape: readonly [number, number, number], n: number): { pixels: Float32Array; labels: Int32Array; names: string[] } {
  const size = shape[0] * shape[1] * shape[2];
  const count = Math.min(n, split.count);
  return {
    pixels: split.images.slice(0, count * size),
    labels: split.labels.slice(0, count),
    names: Array.from({ length: count }, (_, i) => `test[${i}]`),
  };
}

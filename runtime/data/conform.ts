// Fits raw images to the model's `image` size: bilinear resize (align-corners
// off, like tf.image.resizeBilinear with halfPixelCenters) and greyscale → colour
// by repeating the channel. Colour → greyscale is refused: it would silently
// throw information away, so the user converts the data or sets `image: HxWx3`.
import { RuntimeFault } from '../train/fault.ts';

export type Shape3 = readonly [number, number, number];

export function checkChannels(source: string, from: number, to: number): void {
  if (from === to || (from === 1 && to === 3)) return;
  throw new RuntimeFault(
    'MOE0503',
    `${source}: images have ${from} channel${from === 1 ? '' : 's'} but the model expects ${to}`,
    from === 3 && to === 1
      ? 'set the model\'s image to HxWx3, or convert the images to greyscale'
      : 'the model\'s image channels must be 1 (greyscale) or 3 (colour)',
  );
}

/** Converts one HWC image in `src` (values in any range) to `to`, writing into `dst` at `dstOffset`. */
export function conformImage(src: ArrayLike<number>, srcOffset: number, from: Shape3, to: Shape3, dst: Float32Array, dstOffset: number, scale: (v: number) => number): void {
  const [h, w, c] = from;
  const [H, W, C] = to;
  const sameSize = h === H && w === W;
  for (let y = 0; y < H; y++) {
    const fy = sameSize ? y : Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / H - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const dy = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = sameSize ? x : Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / W - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const dx = fx - x0;
      for (let k = 0; k < C; k++) {
        const ch = c === 1 ? 0 : k;
        const at = (yy: number, xx: number) => src[srcOffset + (yy * w + xx) * c + ch]!;
        const v = sameSize
          ? at(y, x)
          : (1 - dy) * ((1 - dx) * at(y0, x0) + dx * at(y0, x1)) + dy * ((1 - dx) * at(y1, x0) + dx * at(y1, x1));
        dst[dstOffset + (y * W + x) * C + k] = scale(v);
      }
    }
  }
}

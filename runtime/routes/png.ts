// A minimal PNG encoder (8-bit greyscale or RGB, no interlace) on node:zlib, for
// embedding an input image in an SVG picture without an asynchronous codec.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes `pixels` (H·W·channels bytes, row-major) as a PNG; channels 1 (grey) or 3 (RGB). */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Buffer {
  if (pixels.length !== width * height * channels) throw new Error(`encodePng: ${pixels.length} bytes for ${width}×${height}×${channels}`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = channels === 1 ? 0 : 2;
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) Buffer.from(pixels.buffer, pixels.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * A normalised image (H·W·C floats in [−1, 1], data/dataset.ts) as bytes, scaled up
 * `scale` times by pixel repetition (so a 28 px digit stays crisp at 224 px).
 */
export function imageBytes(image: Float32Array, shape: readonly [number, number, number], scale: number): { bytes: Uint8Array; width: number; height: number; channels: 1 | 3 } {
  const [H, W, C] = shape;
  const channels: 1 | 3 = C === 1 ? 1 : 3;
  const width = W * scale;
  const height = H * scale;
  const bytes = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const src = (Math.floor(y / scale) * W + Math.floor(x / scale)) * C;
      for (let k = 0; k < channels; k++) {
        const v = image[src + Math.min(k, C - 1)]! * 0.5 + 0.5;
        bytes[(y * width + x) * channels + k] = Math.max(0, Math.min(255, Math.round(v * 255)));
      }
    }
  return { bytes, width, height, channels };
}

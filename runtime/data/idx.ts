// Standard MNIST / Fashion-MNIST IDX files in one folder, gzipped or not:
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte (a `.` instead of the last `-`, and a `.gz` suffix, are accepted).
// Format: big-endian magic 0x0000_08_<ndims>, then ndims uint32 sizes, then uint8 data.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { makeSplit, normaliseByte, type Dataset, type Split } from './dataset.ts';
import { checkChannels, conformImage, type Shape3 } from './conform.ts';
import { RuntimeFault } from '../train/fault.ts';

function findFile(dir: string, prefix: string, what: 'images' | 'labels'): string {
  const kind = what === 'images' ? 'idx3' : 'idx1';
  const stem = `${prefix}-${what}`;
  const names = [`${stem}-${kind}-ubyte`, `${stem}.${kind}-ubyte`, `${stem}-${kind}.ubyte`];
  for (const n of names) for (const suffix of ['', '.gz']) {
    const p = join(dir, n + suffix);
    if (existsSync(p)) return p;
  }
  throw new RuntimeFault('MOE0501', `${dir}: no ${names[0]}[.gz] file`, 'an idx data folder holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (optionally .gz)');
}

export interface IdxArray {
  readonly dims: number[];
  readonly data: Uint8Array;
}

/** Parses one IDX file of unsigned bytes (type code 0x08). */
export function readIdx(file: string): IdxArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
    if (file.endsWith('.gz')) bytes = gunzipSync(bytes);
  } catch (e) {
    throw new RuntimeFault('MOE0505', `${file}: cannot read or decompress (${(e as Error).message})`);
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0)
    throw new RuntimeFault('MOE0505', `${file}: not an IDX file (bad magic number)`);
  if (bytes[2] !== 0x08) throw new RuntimeFault('MOE0505', `${file}: IDX type 0x${bytes[2]!.toString(16)} is not unsigned bytes (0x08)`);
  const ndims = bytes[3]!;
  if (bytes.length < 4 + 4 * ndims) throw new RuntimeFault('MOE0505', `${file}: truncated IDX header`);
  const dims = Array.from({ length: ndims }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndims;
  if (bytes.length - start < expected)
    throw new RuntimeFault('MOE0505', `${file}: truncated: the header promises ${expected} bytes of data (${dims.join('×')}) but the file holds ${bytes.length - start}`);
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + start, expected) };
}

function loadPair(dir: string, stem: string, shape: Shape3): Split {
  const imagesFile = findFile(dir, stem, 'images');
  const labelsFile = findFile(dir, stem, 'labels');
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.dims.length !== 3 && images.dims.length !== 4)
    throw new RuntimeFault('MOE0505', `${imagesFile}: expected an N×H×W (or N×H×W×C) image array, got ${images.dims.length} dimensions`);
  if (labels.dims.length !== 1) throw new RuntimeFault('MOE0505', `${labelsFile}: expected a 1-D label array`);
  const [n, h, w] = images.dims as [number, number, number];
  const c = images.dims[3] ?? 1;
  if (labels.dims[0] !== n) throw new RuntimeFault('MOE0505', `${labelsFile}: ${labels.dims[0]} labels for ${n} images in ${imagesFile}`);
  if (n === 0) throw new RuntimeFault('MOE0504', `${imagesFile}: holds no images`);
  checkChannels(imagesFile, c, shape[2]);
  const size = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(n * size);
  for (let i = 0; i < n; i++) conformImage(images.data, i * h * w * c, [h, w, c], shape, out, i * size, normaliseByte);
  return makeSplit(out, Int32Array.from(labels.data));
}

export function loadIdx(dir: string, shape: Shape3, classes: number): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RuntimeFault('MOE0501', `${dir}: the idx data folder does not exist`);
  const train = loadPair(dir, 'train', shape);
  const test = loadPair(dir, 't10k', shape);
  const maxLabel = Math.max(...train.labels, ...test.labels);
  if (maxLabel >= classes)
    throw new RuntimeFault('MOE0511', `${dir}: labels go up to ${maxLabel} but the model has ${classes} classes`);
  return { name: `idx(dir: "${dir}")`, shape, classes: Array.from({ length: classes }, (_, i) => String(i)), train, test };
}

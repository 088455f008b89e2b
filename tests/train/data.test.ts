// Data loaders on tiny generated fixtures, and their errors.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFolder, decodeImage } from '../../runtime/data/folder.ts';
import { loadIdx } from '../../runtime/data/idx.ts';
import { loadCifar10 } from '../../runtime/data/cifar10.ts';
import { loadMnist } from '../../runtime/data/mnist.ts';
import { loadFashionMnist } from '../../runtime/data/fashion-mnist.ts';
import { allocate } from '../../runtime/data/split.ts';
import { BatchSource } from '../../runtime/data/batches.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'moec-data-'));
});

async function png(file: string, w: number, h: number, channels: 1 | 3, value: (x: number, y: number, c: number) => number): Promise<void> {
  const raw = Buffer.alloc(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) raw[(y * w + x) * channels + c] = value(x, y, c);
  const img = sharp(raw, { raw: { width: w, height: h, channels } });
  await (channels === 1 ? img.toColourspace('b-w') : img).png().toFile(file);
}

function expectFault(fn: () => unknown, code: string, text: string | RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RuntimeFault);
    expect((e as RuntimeFault).code).toBe(code);
    expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error('expected a RuntimeFault');
}

async function expectFaultAsync(p: Promise<unknown>, code: string, text: string | RegExp): Promise<void> {
  await p.then(
    () => {
      throw new Error('expected a RuntimeFault');
    },
    (e) => {
      expect(e).toBeInstanceOf(RuntimeFault);
      expect((e as RuntimeFault).code).toBe(code);
      expect((e as Error).message).toMatch(text);
    },
  );
}

async function makeFolderDataset(dir: string, channels: 1 | 3 = 1): Promise<void> {
  for (const split of ['train', 'test'])
    for (const [c, name] of ['cat', 'dog'].entries()) {
      mkdirSync(join(dir, split, name), { recursive: true });
      for (let i = 0; i < 2; i++) await png(join(dir, split, name, `${i}.png`), 8, 8, channels, (x, y, ch) => (channels === 3 ? (ch === 0 ? 200 : 10) : c === 0 ? 0 : 255));
    }
}

describe('folder(train, test)', () => {
  it('decodes PNGs per class folder, resizes and normalises to [-1, 1]', async () => {
    const dir = join(root, 'folder-ok');
    await makeFolderDataset(dir);
    const d = await loadFolder(join(dir, 'train'), join(dir, 'test'), [4, 4, 1]);
    expect(d.classes).toEqual(['cat', 'dog']);
    expect(d.train.count).toBe(4);
    expect(Array.from(d.train.labels)).toEqual([0, 0, 1, 1]);
    expect(d.train.images.length).toBe(4 * 16);
    expect(d.train.images[0]).toBe(-1); // black
    expect(d.train.images[3 * 16]).toBe(1); // white
  });
  it('repeats a greyscale image over 3 channels for a colour model', async () => {
    const dir = join(root, 'folder-ok');
    const img = await decodeImage(join(dir, 'train', 'dog', '0.png'), [8, 8, 3]);
    expect(img.length).toBe(8 * 8 * 3);
    expect(Array.from(img.slice(0, 3))).toEqual([1, 1, 1]);
  });
  it('refuses a missing folder', async () => {
    await expectFaultAsync(loadFolder(join(root, 'nope'), join(root, 'nope2'), [4, 4, 1]), 'MOE0501', /nope: the train image folder does not exist/);
  });
  it('refuses an empty class folder, naming it', async () => {
    const dir = join(root, 'folder-empty');
    await makeFolderDataset(dir);
    mkdirSync(join(dir, 'train', 'emu'));
    await expectFaultAsync(loadFolder(join(dir, 'train'), join(dir, 'test'), [4, 4, 1]), 'MOE0504', /emu: the class folder holds no PNG or JPEG images/);
  });
  it('refuses a corrupt PNG, naming the file', async () => {
    const dir = join(root, 'folder-corrupt');
    await makeFolderDataset(dir);
    writeFileSync(join(dir, 'train', 'cat', 'bad.png'), Buffer.from('\x89PNG\r\n\x1a\n not really a png'));
    await expectFaultAsync(loadFolder(join(dir, 'train'), join(dir, 'test'), [4, 4, 1]), 'MOE0502', /bad\.png: cannot decode the image/);
  });
  it('reports a truncated colour PNG as undecodable (MOE0502), not as a channel mismatch', async () => {
    const dir = join(root, 'folder-truncated');
    mkdirSync(join(dir, 'a'), { recursive: true });
    const file = join(dir, 'a', 't.png');
    await png(file, 32, 32, 3, (x, y, c) => (x * 37 + y * 11 + c * 90) % 256);
    const bytes = (await import('node:fs')).readFileSync(file);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectFaultAsync(decodeImage(file, [28, 28, 1]), 'MOE0502', /t\.png: cannot decode the image/);
    await expectFaultAsync(decodeImage(file, [28, 28, 3]), 'MOE0502', /t\.png: cannot decode the image/);
  });
  it('reads RGB files whose channels are equal as greyscale', async () => {
    const dir = join(root, 'folder-grey-rgb');
    mkdirSync(join(dir, 'a'), { recursive: true });
    await png(join(dir, 'a', 'g.png'), 4, 4, 3, () => 255);
    expect(Array.from(await decodeImage(join(dir, 'a', 'g.png'), [2, 2, 1]))).toEqual([1, 1, 1, 1]);
  });
  it('refuses colour images for a greyscale model', async () => {
    const dir = join(root, 'folder-rgb');
    await makeFolderDataset(dir, 3);
    await expectFaultAsync(loadFolder(join(dir, 'train'), join(dir, 'test'), [4, 4, 1]), 'MOE0503', /0\.png: images have 3 channels but the model expects 1/);
  });
});

function idxBytes(magic: number, dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe('idx(dir)', () => {
  const write = (dir: string, gz: boolean, truncate = false) => {
    mkdirSync(dir, { recursive: true });
    const n = 3;
    const images = new Uint8Array(n * 4 * 4).map((_, i) => (i % 16 === 0 ? 255 : 0));
    const labels = new Uint8Array([0, 1, 2]);
    const files: Array<[string, Buffer]> = [
      ['train-images-idx3-ubyte', idxBytes(0x803, [n, 4, 4], truncate ? images.subarray(0, 20) : images)],
      ['train-labels-idx1-ubyte', idxBytes(0x801, [n], labels)],
      ['t10k-images-idx3-ubyte', idxBytes(0x803, [n, 4, 4], images)],
      ['t10k-labels-idx1-ubyte', idxBytes(0x801, [n], labels)],
    ];
    for (const [name, b] of files) writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(b) : b);
  };
  it('reads plain and gzipped IDX files', () => {
    for (const gz of [false, true]) {
      const dir = join(root, `idx-${gz}`);
      write(dir, gz);
      const d = loadIdx(dir, [4, 4, 1], 10);
      expect(d.train.count).toBe(3);
      expect(Array.from(d.test.labels)).toEqual([0, 1, 2]);
      expect(d.train.images[0]).toBe(1);
      expect(d.train.images[1]).toBe(-1);
    }
  });
  it('refuses a truncated IDX file, naming it', () => {
    const dir = join(root, 'idx-trunc');
    write(dir, false, true);
    expectFault(() => loadIdx(dir, [4, 4, 1], 10), 'MOE0505', /train-images-idx3-ubyte: truncated: the header promises 48 bytes .* holds 20/);
  });
  it('refuses a missing folder', () => {
    expectFault(() => loadIdx(join(root, 'idx-none'), [4, 4, 1], 10), 'MOE0501', /does not exist/);
  });
});

describe('cifar10(dir)', () => {
  it('reads records and refuses a truncated batch', () => {
    const dir = join(root, 'cifar');
    mkdirSync(dir);
    const rec = Buffer.alloc(3073);
    rec[0] = 7;
    rec.fill(255, 1, 1025); // red plane
    for (const k of [1, 2, 3, 4, 5]) writeFileSync(join(dir, `data_batch_${k}.bin`), rec);
    writeFileSync(join(dir, 'test_batch.bin'), Buffer.concat([rec, rec]));
    const d = loadCifar10(dir, [32, 32, 3]);
    expect(d.train.count).toBe(5);
    expect(d.test.count).toBe(2);
    expect(d.train.labels[0]).toBe(7);
    expect(Array.from(d.train.images.slice(0, 3))).toEqual([1, -1, -1]); // HWC: red, green, blue
    writeFileSync(join(dir, 'test_batch.bin'), rec.subarray(0, 1000));
    expectFault(() => loadCifar10(dir, [32, 32, 3]), 'MOE0505', /test_batch\.bin: 1000 bytes is not a whole number/);
  });
});

describe('mnist(train, test)', () => {
  it('splits the bundled digits deterministically, disjoint and class-balanced', () => {
    const a = loadMnist(300, 100, [28, 28, 1]);
    const b = loadMnist(300, 100, [28, 28, 1]);
    expect(a.train.count).toBe(300);
    expect(a.test.count).toBe(100);
    expect(a.test.images).toEqual(b.test.images);
    const perClass = new Array(10).fill(0);
    for (const l of a.test.labels) perClass[l]++;
    expect(Math.min(...perClass)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...perClass)).toBeLessThanOrEqual(12);
    // disjoint: no test image equals a training image
    const key = (s: Float32Array, i: number) => s.subarray(i * 784, (i + 1) * 784).join(',');
    const train = new Set(Array.from({ length: 300 }, (_, i) => key(a.train.images, i)));
    for (let i = 0; i < 100; i++) expect(train.has(key(a.test.images, i))).toBe(false);
    // normalised to [-1, 1]
    expect(Math.min(...a.train.images.subarray(0, 784))).toBe(-1);
  });
  it('refuses more images than the package holds', () => {
    expectFault(() => loadMnist(9000, 2000, [28, 28, 1]), 'MOE0506', /9000 \+ test 2000 = 11000 images, but the dataset holds only 10000/);
  });
  it('allocate() is proportional and never exceeds what is available', () => {
    expect(allocate([10, 10, 5], 10)).toEqual([4, 4, 2]);
    expect(allocate([1, 1, 1], 3)).toEqual([1, 1, 1]);
  });
});

describe('fashion_mnist(train, test)', () => {
  it('reads the bundled clothes, balanced and normalised', () => {
    const d = loadFashionMnist(20, 10, [28, 28, 1]);
    expect(d.classes[3]).toBe('dress');
    expect(Array.from(d.test.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(d.train.count).toBe(20);
    const px = d.train.images;
    expect(Math.min(...px)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...px)).toBeLessThanOrEqual(1);
  });
});

describe('batches', () => {
  it('are a pure function of the step: same seed → same batch, epochs reshuffle', () => {
    const images = Float32Array.from({ length: 10 * 4 }, (_, i) => i);
    const split = { images, labels: Int32Array.from({ length: 10 }, (_, i) => i), count: 10 };
    const s1 = new BatchSource(split, [2, 2, 1], 4, 7, { shift: 1, fill: -1 });
    const s2 = new BatchSource(split, [2, 2, 1], 4, 7, { shift: 1, fill: -1 });
    expect(s1.stepsPerEpoch).toBe(2);
    expect(s1.at(3)).toEqual(s2.at(3));
    const epoch0 = [...s1.at(0).labels, ...s1.at(1).labels];
    expect(new Set(epoch0).size).toBe(8); // no repeats within an epoch
  });
});

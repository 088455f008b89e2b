// Image folders: `train` and `test` each hold one subfolder per class (sorted by
// name → label 0, 1, …) of PNG or JPEG files. Images are decoded with sharp,
// resized to the model's H×W (fit: fill, i.e. stretched) and, for a colour model,
// greyscale images are repeated over 3 channels. Alpha is dropped.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { makeSplit, normaliseByte, type Dataset, type Split } from './dataset.ts';
import { checkChannels, type Shape3 } from './conform.ts';
import { RuntimeFault } from '../train/fault.ts';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function classFolders(root: string, what: string): string[] {
  if (!isDir(root)) throw new RuntimeFault('MOE0501', `${root}: the ${what} image folder does not exist`, 'folder(train: "…", test: "…") expects one subfolder per class');
  const names = readdirSync(root)
    .filter((n) => !n.startsWith('.') && isDir(join(root, n)))
    .sort();
  if (names.length === 0) throw new RuntimeFault('MOE0504', `${root}: no class subfolders`, 'put the images of each class in a subfolder named after the class');
  return names;
}

function imagesOf(dir: string): string[] {
  const files = readdirSync(dir)
    .filter((n) => !n.startsWith('.') && IMAGE_EXTENSIONS.has(extname(n).toLowerCase()))
    .sort();
  if (files.length === 0) throw new RuntimeFault('MOE0504', `${dir}: the class folder holds no PNG or JPEG images`);
  return files.map((f) => join(dir, f));
}

/**
 * True when an RGB image is grey in fact (R = G = B within JPEG noise): safe to read as 1 channel.
 * A file whose header reads but whose pixels do not (a truncated PNG) is MOE0502, not a channel mismatch.
 */
async function isGreyInColour(file: string): Promise<boolean> {
  let data: Buffer;
  try {
    data = (await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })).data;
  } catch (e) {
    throw new RuntimeFault('MOE0502', `${file}: cannot decode the image (${(e as Error).message})`, 'the file is truncated or damaged; replace or remove it');
  }
  for (let i = 0; i + 2 < data.length; i += 3)
    if (Math.abs(data[i]! - data[i + 1]!) > 2 || Math.abs(data[i]! - data[i + 2]!) > 2) return false;
  return true;
}

/** Decodes one image to H·W·C normalised floats. */
export async function decodeImage(file: string, shape: Shape3): Promise<Float32Array> {
  const [H, W, C] = shape;
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    meta = await sharp(file).metadata();
  } catch (e) {
    throw new RuntimeFault('MOE0502', `${file}: cannot decode the image (${(e as Error).message})`);
  }
  const colour = (meta.channels ?? 1) >= 3 && meta.space !== 'b-w' && !(C === 1 && (await isGreyInColour(file)));
  checkChannels(file, colour ? 3 : 1, C);
  try {
    const { data, info } = await sharp(file)
      .removeAlpha()
      .toColourspace(C === 1 ? 'b-w' : 'srgb')
      .resize(W, H, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== C || info.width !== W || info.height !== H)
      throw new RuntimeFault('MOE0503', `${file}: decoded to ${info.height}×${info.width}×${info.channels}, expected ${H}×${W}×${C}`);
    const out = new Float32Array(H * W * C);
    for (let i = 0; i < out.length; i++) out[i] = normaliseByte(data[i]!);
    return out;
  } catch (e) {
    if (e instanceof RuntimeFault) throw e;
    throw new RuntimeFault('MOE0502', `${file}: cannot decode the image (${(e as Error).message})`);
  }
}

async function loadSplit(root: string, classes: readonly string[], shape: Shape3): Promise<Split> {
  const files: Array<[string, number]> = [];
  for (const [label, name] of classes.entries()) {
    const dir = join(root, name);
    if (!isDir(dir)) continue;
    for (const f of imagesOf(dir)) files.push([f, label]);
  }
  const size = shape[0] * shape[1] * shape[2];
  const images = new Float32Array(files.length * size);
  const labels = new Int32Array(files.length);
  const CONCURRENCY = 8;
  for (let i = 0; i < files.length; i += CONCURRENCY) {
    const chunk = files.slice(i, i + CONCURRENCY);
    // allSettled, then the first failure in file order: the error names the same file every run.
    const settled = await Promise.allSettled(chunk.map(([f]) => decodeImage(f, shape)));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const decoded = settled.map((r) => (r as PromiseFulfilledResult<Float32Array>).value);
    decoded.forEach((img, k) => {
      images.set(img, (i + k) * size);
      labels[i + k] = chunk[k]![1];
    });
  }
  return makeSplit(images, labels);
}

export async function loadFolder(trainDir: string, testDir: string, shape: Shape3): Promise<Dataset> {
  checkChannels(trainDir, shape[2] === 3 ? 3 : 1, shape[2]);
  const classes = classFolders(trainDir, 'train');
  const testClasses = classFolders(testDir, 'test');
  const unknown = testClasses.filter((c) => !classes.includes(c));
  if (unknown.length > 0)
    throw new RuntimeFault('MOE0504', `${testDir}: class folder${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')} not present in ${trainDir}`);
  return {
    name: `folder(train: "${trainDir}", test: "${testDir}")`,
    shape,
    classes,
    train: await loadSplit(trainDir, classes, shape),
    test: await loadSplit(testDir, classes, shape),
  };
}

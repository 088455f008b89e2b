// Loads the data set a train block names (DataSpec) at the model's image size, through the registry (registry.ts).
import { isAbsolute, resolve } from 'node:path';
import type { DataSpec } from '../../compiler/model.ts';
import type { Dataset } from './dataset.ts';
import type { Shape3 } from './conform.ts';
import { DATASETS } from './registry.ts';
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
  const definition = DATASETS[spec.kind];
  if (!definition) throw new RuntimeFault('MOE0340', `unknown data set '${spec.kind}'`, `data sets are ${Object.keys(DATASETS).join(', ')}`);
  const missing = Object.keys(definition.signature.args).filter((a) => spec.args[a] === undefined);
  if (missing.length > 0) throw new RuntimeFault('MOE0340', `data set '${spec.kind}' misses the argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const data = await definition.load(spec.args, { shape: options.shape, classes: options.classes, at });
  if (data.classes.length > options.classes)
    throw new RuntimeFault('MOE0511', `${data.name} has ${data.classes.length} classes but the model has ${options.classes}`, `set classes: ${data.classes.length} in the model`);
  if (data.train.count === 0 || data.test.count === 0) throw new RuntimeFault('MOE0504', `${data.name}: a split is empty`);
  return data;
}

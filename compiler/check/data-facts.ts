// What the checker knows about a bundled dataset before loading it: its class count
// and the channels of its images (undefined: known only once the files are read).
// The loaders (runtime/data) enforce the same facts at run time with MOE0503/MOE0511.
import type { DataSpec } from '../model.ts';
import { DATASET_SIGNATURES } from '../../runtime/data/signatures.ts';

export interface DataFacts {
  readonly classes?: number;
  readonly channels?: 1 | 3;
}

/** The data set's facts, from its signature in the data registry (runtime/data/signatures.ts). */
export function dataFacts(data: DataSpec): DataFacts {
  const sig = DATASET_SIGNATURES[data.kind];
  return { ...(sig?.classes !== undefined ? { classes: sig.classes } : {}), ...(sig?.channels !== undefined ? { channels: sig.channels } : {}) };
}

/** Whether images of `from` channels can feed a model of `to` channels (greyscale is repeated into colour). */
export function channelsFit(from: number, to: number): boolean {
  return from === to || (from === 1 && to === 3);
}

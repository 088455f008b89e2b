// What the checker knows about a bundled dataset before loading it: its class count
// and the channels of its images (undefined: known only once the files are read).
// The loaders (runtime/data) enforce the same facts at run time with MOE0503/MOE0511.
import type { DataSpec } from '../model.ts';

export interface DataFacts {
  readonly classes?: number;
  readonly channels?: 1 | 3;
}

export function dataFacts(data: DataSpec): DataFacts {
  switch (data.kind) {
    case 'mnist':
    case 'fashion_mnist':
      return { classes: 10, channels: 1 };
    case 'cifar10':
      return { classes: 10, channels: 3 };
    case 'idx':
    case 'folder':
      return {};
  }
}

/** Whether images of `from` channels can feed a model of `to` channels (greyscale is repeated into colour). */
export function channelsFit(from: number, to: number): boolean {
  return from === to || (from === 1 && to === 3);
}

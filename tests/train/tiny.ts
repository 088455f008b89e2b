// A tiny real model (through the compiler's lowering and the executor) and a
// small MNIST split, for fast training tests.
import type { ResolvedModel, ResolvedTrain } from '../../compiler/model.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import type { GraphModel } from '../../runtime/api.ts';
import { loadMnist } from '../../runtime/data/mnist.ts';
import type { Dataset } from '../../runtime/data/dataset.ts';

export const TINY_MODEL: ResolvedModel = {
  name: 'tiny',
  image: [14, 14, 1],
  patch: [7, 7],
  width: 16,
  depth: 2,
  heads: 2,
  mlp: 32,
  classes: 10,
  pool: 'gap',
  dropout: 0,
  posemb: 'learned',
  tokens: 4,
  blocks: [{ kind: 'dense' }, { kind: 'moe', mlp: 32, router: { family: 'soft', experts: 4, slots: 1, capacityFactor: 1, rounding: 'round', group: 4, noise: 0 } }],
};

export function tinyTrain(overrides: Partial<ResolvedTrain> = {}): ResolvedTrain {
  return {
    name: 'tiny_train',
    model: 'tiny',
    data: { kind: 'mnist', args: { train: 256, test: 64 } },
    batch: 32,
    steps: 20,
    optimizer: { kind: 'adamw', lr: 3e-3, weightDecay: 1e-4, b1: 0.9, b2: 0.999, clip: 1 },
    schedule: { kind: 'cosine', warmup: 2 },
    loss: 'softmax_xent',
    evalEvery: 1000,
    checkpointEvery: 1000,
    seed: 3,
    ...overrides,
  };
}

let data: Dataset | undefined;
export function tinyData(): Dataset {
  return (data ??= loadMnist(256, 64, [14, 14, 1]));
}

export function tinyModel(seed = 3): GraphModel {
  return createGraphModel(lowerModel(TINY_MODEL), { seed });
}

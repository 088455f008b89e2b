// `moec bench`: training and inference throughput of one compiled model, its memory,
// and where the time goes (per op kind and per block for the forward pass, per tfjs
// kernel for the whole step).
import * as tf from '@tensorflow/tfjs';
import type { Graph } from '../../compiler/graph/ir.ts';
import { createGraphModel } from '../executor/graph-model.ts';
import { flopsPerImage, parameterCount } from '../train/summary.ts';
import { createTrainStep, syntheticBatch } from './step.ts';
import { measure } from './timing.ts';
import type { TimingSummary } from './stats.ts';
import { aggregate, blockOfScope, profileForward, profileKernels, type TimeShare } from './profile.ts';
import { memoryFigures } from './memory.ts';

/** Backward ≈ 2× forward (two products per forward product), so a step ≈ 3× the forward FLOPs. */
export const TRAIN_FLOPS_FACTOR = 3;

export interface ModelBenchOptions {
  readonly batch: number;
  /** Timed repetitions of each measurement (after one warm-up). */
  readonly reps: number;
  readonly warmup?: number;
  /** Run the profiling passes (per op, per block, per kernel). */
  readonly profile?: boolean;
  /** Skip the optimiser update (forward + backward only). */
  readonly noUpdate?: boolean;
}

export interface ThroughputFigure {
  readonly timing: TimingSummary;
  readonly imagesPerSecond: number;
  /** Useful FLOP/s (cost-model FLOPs, forward ×3 for training). */
  readonly flopsPerSecond: number;
}

export interface ModelBenchReport {
  readonly model: string;
  readonly backend: string;
  readonly batch: number;
  readonly reps: number;
  readonly params: number;
  readonly forwardFlopsPerImage: number;
  readonly train: ThroughputFigure & { readonly includesUpdate: boolean };
  readonly inference: ThroughputFigure;
  readonly memory: {
    /** tf.profile peak of tensor bytes during one training step. */
    readonly stepPeakTensorBytes?: number;
    readonly wasmHeapBytes?: number;
    readonly rssBytes: number;
  };
  readonly profile?: {
    readonly forwardByOp: TimeShare[];
    readonly forwardByBlock: TimeShare[];
    readonly stepByKernel: TimeShare[];
  };
}

function throughput(timing: TimingSummary, batch: number, flopsPerStep: number): ThroughputFigure {
  const seconds = timing.medianMs / 1000;
  return { timing, imagesPerSecond: batch / seconds, flopsPerSecond: flopsPerStep / seconds };
}

export async function benchModel(graph: Graph, options: ModelBenchOptions): Promise<ModelBenchReport> {
  const model = createGraphModel(graph, { seed: 0 });
  const batch = syntheticBatch(model, options.batch, 1);
  const runner = createTrainStep(model, batch);
  try {
    const fwd = flopsPerImage(graph);
    const warmup = options.warmup ?? 1;
    const trainWork = options.noUpdate ? () => runner.gradients() : () => runner.step();
    const trainTiming = await measure(trainWork, { reps: options.reps, warmup });
    const inferTiming = await measure(() => runner.infer(), { reps: options.reps, warmup });
    let profile: ModelBenchReport['profile'];
    let stepPeak: number | undefined;
    if (options.profile) {
      const nodes = profileForward(model, batch.images);
      const kernels = await profileKernels(trainWork);
      stepPeak = kernels.peakBytes;
      profile = {
        forwardByOp: aggregate(nodes, (n) => n.op, (n) => n.ms),
        forwardByBlock: aggregate(nodes, (n) => blockOfScope(n.scope), (n) => n.ms),
        stepByKernel: kernels.kernels,
      };
    }
    const mem = memoryFigures();
    return {
      model: graph.meta.model,
      backend: tf.getBackend(),
      batch: options.batch,
      reps: options.reps,
      params: parameterCount(graph),
      forwardFlopsPerImage: fwd,
      train: { ...throughput(trainTiming, options.batch, TRAIN_FLOPS_FACTOR * fwd * options.batch), includesUpdate: !options.noUpdate },
      inference: throughput(inferTiming, options.batch, fwd * options.batch),
      memory: {
        ...(stepPeak !== undefined ? { stepPeakTensorBytes: stepPeak } : {}),
        ...(mem.wasmHeapBytes !== undefined ? { wasmHeapBytes: mem.wasmHeapBytes } : {}),
        rssBytes: mem.rssBytes,
      },
      ...(profile ? { profile } : {}),
    };
  } finally {
    runner.dispose();
    tf.dispose([batch.images, batch.labels]);
    model.dispose();
  }
}

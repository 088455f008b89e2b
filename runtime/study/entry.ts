// One row of a router study and the pure helpers that describe a model for it.
import type { Graph } from '../../compiler/graph/ir.ts';

export interface CurvePoint {
  /** Training seconds (evaluation time excluded) when the evaluation ran. */
  readonly seconds: number;
  readonly step: number;
  readonly accuracy: number;
}

export interface StudyEntry {
  readonly file: string;
  readonly model: string;
  /** `dense`, or the router kind of the model's MoE blocks (`soft_moe`, …; `mixed` when they differ). */
  readonly router: string;
  readonly status: 'completed' | 'diverged' | 'failed';
  readonly reason?: string;
  readonly steps: number;
  readonly batch: number;
  readonly finalAccuracy?: number;
  readonly finalLoss?: number;
  /** Wall seconds spent in training steps (evaluations excluded). */
  readonly trainSeconds: number;
  readonly imagesPerSecond: number;
  readonly params: number;
  readonly forwardFlopsPerImage: number;
  readonly moeBlocks: number;
  readonly experts?: number;
  readonly curve: readonly CurvePoint[];
}

/** The router a model uses: `dense`, one router kind, or `mixed`. */
export function routerLabel(graph: Graph): string {
  const kinds = new Set(graph.blocks.filter((b) => b.kind === 'moe').map((b) => b.router ?? 'moe'));
  if (kinds.size === 0) return 'dense';
  return kinds.size === 1 ? [...kinds][0]! : 'mixed';
}

export function moeBlockCount(graph: Graph): number {
  return graph.blocks.filter((b) => b.kind === 'moe').length;
}

export function expertCount(graph: Graph): number | undefined {
  const counts = new Set(graph.blocks.filter((b) => b.kind === 'moe').map((b) => b.experts));
  return counts.size === 1 ? [...counts][0] : undefined;
}

/**
 * Training time excluding evaluations, from a timeline of events: each evaluation's
 * duration is the gap between the step before it and the evaluation's end.
 */
export class TrainingClock {
  private started = 0;
  private excluded = 0;
  private lastStepEnd = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  start(): void {
    this.started = this.now();
    this.lastStepEnd = this.started;
  }
  stepDone(): void {
    this.lastStepEnd = this.now();
  }
  /** Call when an evaluation (or any non-training work after the last step) has finished. */
  excludeSinceLastStep(): void {
    const t = this.now();
    this.excluded += t - this.lastStepEnd;
    this.lastStepEnd = t;
  }
  /** Seconds of training so far, up to the last step. */
  trainingSeconds(): number {
    return (this.lastStepEnd - this.started - this.excluded) / 1000;
  }
}

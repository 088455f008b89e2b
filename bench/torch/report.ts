// Figures of `npm run bench:torch`: per case and thread count, the medians over
// rounds of moec's and PyTorch's training step and inference, and their ratios
// (moec / torch: 2.0× means moec takes twice as long, or delivers half the images
// per second). Pure functions of the recorded rounds, so they are testable.
import Table from 'cli-table3';
import { median } from '../../runtime/bench/stats.ts';

/** One engine's timings: per round, the mean over that round's calls (ms). */
export interface EngineRounds {
  readonly trainMs: number[];
  readonly inferMs: number[];
}

export interface ComparisonRow {
  readonly case: string;
  readonly batch: number;
  /** PyTorch's intra-op threads. */
  readonly threads: number;
  /** The threads moec ran with (fewer than `threads` where this tree has no multi-threaded wasm). */
  readonly moecThreads: number;
  readonly moecTrainMs: number;
  readonly torchTrainMs: number;
  /** moec / torch training step time (medians). */
  readonly trainRatio: number;
  readonly moecInferImagesPerS: number;
  readonly torchInferImagesPerS: number;
  /** torch / moec images per second in inference (= moec / torch time). */
  readonly inferRatio: number;
  /** Per-round ratios of the training step, to show the spread. */
  readonly trainRatioRange: readonly [number, number];
  readonly rounds: number;
}

/** The ratio targets of issue 12's acceptance (training step; inference ≤ 2.5× for every case). */
export const TRAIN_TARGET: Readonly<Record<string, number>> = { mnist_soft: 2.5, mnist_dense: 2.5, cifar_soft16: 1.5 };
export const INFER_TARGET = 2.5;

export function compareEngines(name: string, batch: number, threads: number, moecThreads: number, moec: EngineRounds, torch: EngineRounds): ComparisonRow {
  if (moec.trainMs.length === 0 || moec.trainMs.length !== torch.trainMs.length) throw new Error(`case ${name}: moec and torch have different numbers of rounds`);
  const moecTrainMs = median(moec.trainMs);
  const torchTrainMs = median(torch.trainMs);
  const moecInfer = median(moec.inferMs);
  const torchInfer = median(torch.inferMs);
  const perRound = moec.trainMs.map((m, i) => m / torch.trainMs[i]!);
  return {
    case: name,
    batch,
    threads,
    moecThreads,
    moecTrainMs,
    torchTrainMs,
    trainRatio: moecTrainMs / torchTrainMs,
    moecInferImagesPerS: (batch * 1000) / moecInfer,
    torchInferImagesPerS: (batch * 1000) / torchInfer,
    inferRatio: moecInfer / torchInfer,
    trainRatioRange: [Math.min(...perRound), Math.max(...perRound)],
    rounds: moec.trainMs.length,
  };
}

/** No separators between rows (as bench/common.ts's COMPACT_TABLE, without importing tfjs here). */
const COMPACT = { style: { head: [] as string[], border: [] as string[] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const ratio = (v: number, target?: number) => `${v.toFixed(2)}×${target !== undefined ? (v <= target ? ' ✓' : ' ✗') : ''}`;

/** The table printed at the end (✓/✗: within issue 12's target or not, where both ran the same threads). */
export function formatComparison(rows: readonly ComparisonRow[]): string {
  const table = new Table({
    head: ['case (batch)', 'threads', 'train moec ms', 'torch ms', 'moec/torch', 'rounds range', 'infer moec img/s', 'torch img/s', 'moec/torch'],
    ...COMPACT,
  });
  for (const r of rows) {
    const same = r.moecThreads === r.threads;
    table.push([
      `${r.case} (${r.batch})`,
      r.moecThreads === r.threads ? String(r.threads) : `torch ${r.threads}, moec ${r.moecThreads}`,
      ms(r.moecTrainMs),
      ms(r.torchTrainMs),
      // The targets are for equal thread counts: no mark where moec ran fewer threads than PyTorch.
      ratio(r.trainRatio, same ? TRAIN_TARGET[r.case] : undefined),
      `${r.trainRatioRange[0].toFixed(2)}–${r.trainRatioRange[1].toFixed(2)}×`,
      r.moecInferImagesPerS.toFixed(0),
      r.torchInferImagesPerS.toFixed(0),
      ratio(r.inferRatio, same ? INFER_TARGET : undefined),
    ]);
  }
  return table.toString();
}

export interface ProfileRow {
  readonly name: string;
  readonly ms: number;
  readonly calls: number;
  readonly share: number;
}

export function formatProfile(title: string, rows: readonly ProfileRow[]): string {
  const table = new Table({ head: [title, 'ms', 'calls', 'share'], ...COMPACT });
  for (const r of rows) table.push([r.name, r.ms.toFixed(1), String(r.calls), `${(r.share * 100).toFixed(1)}%`]);
  return table.toString();
}

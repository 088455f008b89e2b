// Where eval and predict take trained weights from: a moec checkpoint (folder, or a
// run folder's latest) or a .npz parameter file in vmoe / vit_jax / big_vision layout
// (export/vmoe/import.ts; a dense .npz upcycles into a MoE model's experts).
import { resolve } from 'node:path';
import type { Graph } from '../compiler/graph/ir.ts';
import type { GraphModel } from '../runtime/api.ts';
import { loadCheckpoint, resolveCheckpoint, type LoadedCheckpoint } from '../runtime/checkpoint/checkpoint.ts';
import { restoreParams } from '../runtime/train/trainer.ts';
import { assignWeights, formatImportReport, importVmoeNpz, type ImportedWeights } from '../export/vmoe/import.ts';

export type WeightsSource =
  | { readonly kind: 'checkpoint'; readonly checkpoint: LoadedCheckpoint; readonly step: number; readonly classes?: readonly string[]; readonly where: string }
  | { readonly kind: 'npz'; readonly imported: ImportedWeights; readonly step: 0; readonly classes?: undefined; readonly where: string };

export function isNpzPath(path: string): boolean {
  return path.toLowerCase().endsWith('.npz');
}

/** Reads (and checks against the graph) the weights named by `--checkpoint`. */
export function readWeightsSource(given: string, cwd: string, graph: Graph): WeightsSource {
  const path = resolve(cwd, given);
  if (isNpzPath(given)) return { kind: 'npz', imported: importVmoeNpz(path, graph, { upcycle: true, file: given }), step: 0, where: given };
  const checkpoint = loadCheckpoint(resolveCheckpoint(path));
  return { kind: 'checkpoint', checkpoint, step: checkpoint.manifest.state.step, ...(checkpoint.manifest.state.classes ? { classes: checkpoint.manifest.state.classes } : {}), where: checkpoint.dir };
}

export function applyWeightsSource(model: GraphModel, source: WeightsSource): void {
  if (source.kind === 'npz') assignWeights(model, source.imported.weights);
  else restoreParams(model, source.checkpoint);
}

/** A line or two on what was loaded (for .npz files: copied, upcycled, fresh). */
export function describeWeightsSource(source: WeightsSource): string {
  return source.kind === 'npz' ? formatImportReport(source.imported.report) : `checkpoint ${source.where} (step ${source.step})`;
}

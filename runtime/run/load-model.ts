// A trained model ready to run: a run folder (its graph.json and newest checkpoint)
// or a checkpoint folder (with the graph it belongs to) bound to tfjs variables.
// `forward(images)` gives logits and each MoE block's routing tensors (dispatch and
// combine weights [G, S, E, C]). Checkpoints that record the graph's SHA-256 are
// verified against the run's graph.json (MOE0537).
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { Graph } from '../../compiler/graph/ir.ts';
import { blockOutput } from '../../compiler/graph/ir.ts';
import { batchMultipleOf } from '../../compiler/graph/dims.ts';
import { RuntimeFault } from '../../diagnostics/fault.ts';
import type { GraphModel } from '../api.ts';
import { selectBackend, type BackendName } from '../backend.ts';
import { checkGraphHash, loadCheckpoint, resolveCheckpoint, type LoadedCheckpoint } from '../checkpoint/checkpoint.ts';
import { createGraphModel } from '../executor/graph-model.ts';
import { restoreParams } from '../train/trainer.ts';
import { runOfCheckpoint } from '../train/run-folder.ts';
import { openRun, type RunFolder } from './open-run.ts';

export interface ModelOutputs {
  /** [batch, classes] */
  readonly logits: tf.Tensor2D;
  /** Per MoE block: `block_<i>/dispatch` and `block_<i>/combine` [G, S, E, C]. The caller disposes every tensor. */
  readonly routing: ReadonlyMap<string, tf.Tensor>;
}

export interface LoadedModel {
  readonly graph: Graph;
  readonly model: GraphModel;
  /** The checkpoint the weights came from. */
  readonly checkpoint: LoadedCheckpoint;
  /** The run folder, when the model came from one. */
  readonly run?: RunFolder;
  /** Class names recorded by training (else "0", "1", …). */
  readonly classes: readonly string[];
  /** Every batch must be a multiple of this (routing groups spanning images). */
  readonly batchMultiple: number;
  /** Inference (training mode off) on [batch, H, W, C] images. */
  forward(images: tf.Tensor4D): ModelOutputs;
  /** The parameters by graph name (copies). */
  weights(): ReadonlyMap<string, { shape: number[]; data: Float32Array }>;
  dispose(): void;
}

export type ModelSource = { readonly run: string } | { readonly checkpoint: string; readonly graph?: Graph };

export interface LoadModelOptions {
  /** Activate this backend first (default: keep the active one). */
  readonly backend?: BackendName;
}

function graphAndCheckpoint(source: ModelSource): { graph: Graph; checkpoint: LoadedCheckpoint; run?: RunFolder } {
  if ('run' in source) {
    const run = openRun(source.run);
    const latest = run.latest();
    if (!latest) throw new RuntimeFault('MOE0510', `${source.run}: the run folder holds no checkpoint yet`, 'train longer: a checkpoint is written at every evaluation and at the end');
    const checkpoint = loadCheckpoint(latest);
    checkGraphHash(checkpoint, run.graphText, join(run.dir, 'graph.json'));
    return { graph: run.graph, checkpoint, run };
  }
  const dir = resolveCheckpoint(source.checkpoint);
  const checkpoint = loadCheckpoint(dir);
  if (source.graph) return { graph: source.graph, checkpoint };
  const runDir = runOfCheckpoint(dir);
  if (!runDir) throw new RuntimeFault('MOE0522', `${source.checkpoint}: the checkpoint is not inside a run folder, so its graph is unknown`, 'pass the graph too: loadModel({ checkpoint, graph })');
  const run = openRun(runDir);
  checkGraphHash(checkpoint, run.graphText, join(run.dir, 'graph.json'));
  return { graph: run.graph, checkpoint, run };
}

/** Loads a trained model; coded RuntimeFaults for a bad folder, a damaged checkpoint or a checkpoint of another graph. */
export async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const { graph, checkpoint, run } = graphAndCheckpoint(source);
  if (options.backend) await selectBackend(options.backend);
  const model = createGraphModel(graph, { seed: checkpoint.manifest.state.seed ?? 0 });
  try {
    restoreParams(model, checkpoint);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const classCount = graph.vit?.classes ?? (graph.outputs.logits ? Number(graph.nodes.find((n) => n.id === graph.outputs.logits)?.shape[1] ?? 0) : 0);
  const classes = checkpoint.manifest.state.classes ?? Array.from({ length: classCount }, (_, c) => String(c));
  const multiple = batchMultipleOf(graph);
  const routingNames = Object.keys(graph.outputs).filter((name) => graph.blocks.some((b) => name === blockOutput(b.index, 'dispatch') || name === blockOutput(b.index, 'combine')));
  const step = checkpoint.manifest.state.step;
  const imageShape = graph.vit?.image;
  return {
    graph,
    model,
    checkpoint,
    ...(run ? { run } : {}),
    classes,
    batchMultiple: multiple,
    forward(images) {
      const [batch, ...rest] = images.shape;
      if (imageShape && (rest.length !== 3 || rest.some((d, i) => d !== imageShape[i])))
        throw new RuntimeFault('MOE0523', `images of shape [${images.shape.join(', ')}] do not fit model ${graph.meta.model}, which takes [batch, ${imageShape.join(', ')}]`);
      if (batch % multiple !== 0)
        throw new RuntimeFault('MOE0524', `a batch of ${batch} images does not fit model ${graph.meta.model}: its routing groups span ${multiple} images`, `pass a multiple of ${multiple} images (pad with copies if needed)`);
      const r = model.forward(images, { training: false, step, outputs: routingNames });
      tf.dispose([r.auxLoss, ...r.stats.values()]);
      return { logits: r.logits, routing: r.outputs };
    },
    weights() {
      const out = new Map<string, { shape: number[]; data: Float32Array }>();
      for (const [name, v] of model.variables) out.set(name, { shape: [...v.shape], data: new Float32Array(v.dataSync()) });
      return out;
    },
    dispose: () => model.dispose(),
  };
}

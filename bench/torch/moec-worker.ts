// The moec side of `npm run bench:torch`: a persistent worker on tfjs (wasm by
// default) speaking the JSON-lines protocol of protocol.ts, the same requests as
// torch_worker.py. One process per thread count, because the wasm module's thread
// count is fixed when it initialises. Run by the driver (run.ts) as
//   node bin/run-ts.mjs bench/torch/moec-worker.ts --threads N [--backend wasm]
// The training step is the trainer's (runtime/train/trainer.ts): forward, loss +
// aux loss, tf.variableGrads, zero gradients for parameters the loss does not
// reach, the clipped update of runtime/train/optimizer.ts; every step ends with a
// read of the loss, every inference with a read of the logits.
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { selectBackend, type BackendName, type BackendSelection } from '../../runtime/backend.ts';
import { loadGraphFromFile } from '../../runtime/executor/load.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import type { GraphModel } from '../../runtime/api.ts';
import type { OptimizerSpec } from '../../compiler/model.ts';
import { Optimizer, type OptimizerParam } from '../../runtime/train/optimizer.ts';
import { classificationLoss, type LossKind } from '../../runtime/train/loss.ts';
import { syntheticBatch, type BenchBatch } from '../../runtime/bench/step.ts';
import { profileKernels } from '../../runtime/bench/profile.ts';
import { writeNpz } from '../../export/npz/npz.ts';
import { HANDOFF_FILES, batchArrays } from './handoff.ts';

interface Loaded {
  readonly model: GraphModel;
  readonly batch: BenchBatch;
  readonly params: OptimizerParam[];
  readonly optimizer: Optimizer;
  readonly loss: LossKind;
  readonly byVariable: Map<string, string>;
  step: number;
}

function flagValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

class MoecWorker {
  private loaded: Loaded | undefined;

  constructor(
    private readonly selection: BackendSelection,
    private readonly requestedThreads: number,
  ) {}

  hello(): Record<string, unknown> {
    return {
      backend: this.selection.name,
      reason: this.selection.reason,
      requestedThreads: this.requestedThreads,
      // The threads actually in use (1 after a fallback, e.g. without SharedArrayBuffer) and why.
      threads: this.selection.threads,
      ...(this.selection.threadNote ? { threadNote: this.selection.threadNote } : {}),
      tfjs: tf.version.tfjs,
    };
  }

  private need(): Loaded {
    if (!this.loaded) throw new Error('no model loaded: send a load request first');
    return this.loaded;
  }

  private unload(): void {
    if (!this.loaded) return;
    this.loaded.optimizer.dispose();
    tf.dispose([this.loaded.batch.images, this.loaded.batch.labels]);
    this.loaded.model.dispose();
    this.loaded = undefined;
  }

  load(request: Record<string, unknown>): Record<string, unknown> {
    this.unload();
    const dir = String(request.dir);
    const graph = loadGraphFromFile(join(dir, HANDOFF_FILES.graph));
    const model = createGraphModel(graph, { seed: Number(request.seed ?? 0) });
    const batch = syntheticBatch(model, Number(request.batch), Number(request.dataSeed ?? 1));
    const params = graph.params
      .filter((p) => p.trainable)
      .map((p) => ({ name: p.name, variable: model.variables.get(p.name)!, decay: p.decay }));
    const optimizer = new Optimizer(request.optimizer as OptimizerSpec, params);
    this.loaded = { model, batch, params, optimizer, loss: (request.loss as LossKind) ?? 'softmax_xent', byVariable: new Map(params.map((p) => [p.variable.name, p.name])), step: 0 };
    if (request.writeHandoff === true) {
      // The initial parameters (every variable, trainable or not) and the batch, for the PyTorch side.
      const arrays = [...model.variables].map(([name, v]) => [name, { shape: v.shape, data: v.dataSync() as Float32Array }] as const);
      writeFileSync(join(dir, HANDOFF_FILES.params), writeNpz(arrays));
      writeFileSync(join(dir, HANDOFF_FILES.batch), writeNpz(batchArrays(batch.images.shape, batch.images.dataSync() as Float32Array, batch.labels.dataSync() as Int32Array)));
    }
    // Counted from the variables the model created (the driver compares them with the graph's declarations).
    const variables = [...model.variables.values()];
    return {
      params: variables.filter((v) => v.trainable).reduce((a, v) => a + v.size, 0),
      allParams: variables.reduce((a, v) => a + v.size, 0),
      tensors: variables.length,
      nodes: graph.nodes.length,
    };
  }

  private step(lr: number): { loss: number; gradNorm: number } {
    const l = this.need();
    const { value, grads } = tf.variableGrads(() => {
      const r = l.model.forward(l.batch.images, { training: true, step: l.step });
      return tf.add(classificationLoss(l.loss, r.logits, l.batch.labels), r.auxLoss) as tf.Scalar;
    }, l.params.map((p) => p.variable));
    const loss = value.dataSync()[0]!;
    value.dispose();
    const named = new Map<string, tf.Tensor>();
    for (const [name, g] of Object.entries(grads)) named.set(l.byVariable.get(name) ?? name, g);
    for (const p of l.params) if (!named.has(p.name)) named.set(p.name, tf.zerosLike(p.variable));
    const { gradNorm } = l.optimizer.apply(named, lr);
    tf.dispose([...named.values()]);
    l.step += 1;
    return { loss, gradNorm };
  }

  private inferOnce(): Float32Array {
    const l = this.need();
    return tf.tidy(() => l.model.forward(l.batch.images, { training: false, step: 0 }).logits.dataSync() as Float32Array);
  }

  logits(): Record<string, unknown> {
    const l = this.need();
    const data = this.inferOnce();
    return { shape: [l.batch.images.shape[0], data.length / l.batch.images.shape[0]], data: Array.from(data) };
  }

  train(request: Record<string, unknown>): Record<string, unknown> {
    const losses: number[] = [];
    const gradNorms: number[] = [];
    const ms: number[] = [];
    for (const lr of request.lrs as number[]) {
      const start = performance.now();
      const r = this.step(lr);
      ms.push(performance.now() - start);
      losses.push(r.loss);
      gradNorms.push(r.gradNorm);
    }
    return { losses, gradNorms, ms, tensors: tf.memory().numTensors };
  }

  infer(request: Record<string, unknown>): Record<string, unknown> {
    const ms: number[] = [];
    for (let i = 0; i < Number(request.reps); i++) {
      const start = performance.now();
      this.inferOnce();
      ms.push(performance.now() - start);
    }
    return { ms };
  }

  async profile(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const lr = Number(request.lr ?? 1e-3);
    const start = performance.now();
    const { kernels } = await profileKernels(() => this.step(lr));
    const wallMs = performance.now() - start;
    const total = kernels.reduce((a, k) => a + k.ms, 0);
    const calls = kernels.reduce((a, k) => a + k.calls, 0);
    return { wallMs, kernelMs: total, calls, ops: kernels.slice(0, Number(request.top ?? 10)) };
  }

  close(): void {
    this.unload();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const threads = Number(flagValue(argv, '--threads') ?? 1);
  const backend = (flagValue(argv, '--backend') ?? 'wasm') as BackendName;
  const selection = await selectBackend(backend, { threads });
  const worker = new MoecWorker(selection, threads);
  const handlers: Record<string, (r: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>> = {
    hello: () => worker.hello(),
    load: (r) => worker.load(r),
    logits: () => worker.logits(),
    train: (r) => worker.train(r),
    infer: (r) => worker.infer(r),
    profile: (r) => worker.profile(r),
  };
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let reply: Record<string, unknown>;
    let cmd: unknown;
    try {
      const request = JSON.parse(line) as Record<string, unknown>;
      cmd = request.cmd;
      if (cmd === 'quit') reply = { ok: true };
      else if (typeof cmd === 'string' && Object.hasOwn(handlers, cmd)) reply = { ok: true, ...(await handlers[cmd]!(request)) };
      else reply = { ok: false, error: `unknown request ${JSON.stringify(cmd)} (one of quit, ${Object.keys(handlers).join(', ')})` };
    } catch (e) {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      reply = { ok: false, error: (e as Error).message };
    }
    process.stdout.write(JSON.stringify(reply) + '\n');
    if (cmd === 'quit') break;
  }
  worker.close();
}

await main();

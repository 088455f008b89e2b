// The library entry point (index.ts) runs the whole pipeline without the CLI.
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { RuntimeFault, costOf, createGraphModel, decodeImage, format, loadModel, loadProgram, lowerModel, openRun, parse, selectBackend, selectModel } from '../index.ts';
import { runCli } from './support/run-cli.ts';

describe('library API', () => {
  it('parses, checks, lowers and runs the bundled example', async () => {
    await selectBackend('cpu');
    const program = loadProgram('examples/mnist_soft.moe');
    expect(program.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const model = selectModel(program).value!;
    expect(model.name).toBe('mnist_soft');
    const graph = lowerModel(model);
    const cost = costOf(graph);
    expect(cost.totalParams).toBe(graph.params.filter((p) => p.trainable).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0));
    const runtime = createGraphModel(graph, { seed: 0 });
    const logits = tf.tidy(() => runtime.forward(tf.zeros([2, 28, 28, 1]) as tf.Tensor4D, { training: false, step: 0 }).logits.arraySync());
    expect(logits).toHaveLength(2);
    expect(logits[0]).toHaveLength(10);
    runtime.dispose();
  });

  it('formats and parses text', () => {
    const { text } = format('model m extends vit_s16 { classes: 10 }', 'inline.moe');
    expect(text).toBe('model m extends vit_s16 {\n  classes: 10\n}\n');
    expect(parse(text, 'inline.moe').diagnostics).toEqual([]);
  });
});

describe('runs and trained models (docs/api.md)', () => {
  const SPEC = `model tiny {\n  image: 14x14x1, patch: 7, width: 16, depth: 2, heads: 2, mlp: 32, classes: 10\n  blocks last 1: moe(soft(experts: 4, slots: 1))\n}\ntrain t {\n  model: tiny\n  data: mnist(train: 64, test: 32)\n  batch: 16\n  steps: 6\n  seed: 3\n}\n`;
  let dir: string;
  let run: string;
  let image: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'moec-api-'));
    writeFileSync(join(dir, 'tiny.moe'), SPEC);
    run = join(dir, 'run');
    const r = await runCli(['train', 'tiny.moe', '--out', 'run', '--backend', 'cpu'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    image = join(dir, 'digit.png');
    const raw = Buffer.alloc(14 * 14);
    for (let y = 2; y < 12; y++) raw[y * 14 + 7] = 255;
    await sharp(raw, { raw: { width: 14, height: 14, channels: 1 } }).png().toFile(image);
  }, 60_000);

  it('opens a run folder: its graph, spec copy and checkpoints', () => {
    const folder = openRun(run);
    expect(folder.graph.meta.model).toBe('tiny');
    expect(folder.spec).toBe(join(run, 'spec.moe'));
    expect(folder.checkpoints.length).toBeGreaterThan(0);
    expect(folder.latest()).toBe(folder.checkpoints.at(-1));
    expect(() => openRun(join(dir, 'nowhere'))).toThrow(RuntimeFault);
    expect(() => openRun(dir)).toThrow(/not a run folder/);
  });

  it('loads the trained weights, not fresh ones, and returns logits and routing tensors', async () => {
    const before = tf.memory().numTensors;
    const trained = await loadModel({ run }, { backend: 'cpu' });
    const x = tf.randomUniform([2, 14, 14, 1], -1, 1, 'float32', 5) as tf.Tensor4D;
    const out = trained.forward(x);
    expect(out.logits.shape).toEqual([2, 10]);
    // 4 tokens per image, one group per image (S = 4), 4 experts of 1 slot.
    expect(out.routing.get('block_1/dispatch')!.shape).toEqual([2, 4, 4, 1]);
    expect(out.routing.get('block_1/combine')!.shape).toEqual([2, 4, 4, 1]);
    const fresh = createGraphModel(trained.graph, { seed: trained.checkpoint.manifest.state.seed });
    const untrained = fresh.forward(x, { training: false, step: 0 });
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(out.logits, untrained.logits))).dataSync()[0]!);
    expect(gap).toBeGreaterThan(1e-3);
    const w = trained.weights();
    const saved = trained.checkpoint.tensors.get('param:head/kernel')!;
    expect(Array.from(w.get('head/kernel')!.data)).toEqual(Array.from(saved.data));
    tf.dispose([x, out.logits, ...out.routing.values(), untrained.logits, untrained.auxLoss, ...untrained.stats.values(), ...untrained.outputs.values()]);
    fresh.dispose();
    trained.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('predict RUN_DIR gives the probabilities of the loaded model', async () => {
    const r = await runCli(['predict', 'run', 'digit.png', '--backend', 'cpu', '--format', 'json', '--top', '10'], { cwd: dir });
    expect(r.stderr).toBe('');
    const shown = JSON.parse(r.stdout)[0].top as { index: number; probability: number }[];
    const trained = await loadModel({ run });
    const x = tf.tensor4d(await decodeImage(image, [14, 14, 1]), [1, 14, 14, 1]);
    const out = trained.forward(x);
    const probs = tf.tidy(() => tf.softmax(out.logits).dataSync());
    for (const t of shown) expect(t.probability).toBeCloseTo(probs[t.index]!, 6);
    tf.dispose([x, out.logits, ...out.routing.values()]);
    trained.dispose();
  });

  it('refuses a checkpoint of another graph (graphSha256)', async () => {
    const edited = join(dir, 'edited');
    cpSync(run, edited, { recursive: true });
    const graph = JSON.parse(readFileSync(join(edited, 'graph.json'), 'utf8'));
    graph.meta.model = 'renamed';
    writeFileSync(join(edited, 'graph.json'), JSON.stringify(graph));
    await expect(loadModel({ run: edited })).rejects.toMatchObject({ code: 'MOE0537' });
    const r = await runCli(['eval', 'edited', '--backend', 'cpu'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MOE0537: .*another graph/);
  });

  it("runs docs/api.md's example as written", async () => {
    const doc = readFileSync('docs/api.md', 'utf8');
    const code = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)![1]!.replace("from 'moec'", `from '${pathToFileURL(resolve('index.ts')).href}'`);
    const file = join(dir, 'example.mts');
    writeFileSync(file, code);
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules')); // so that the example finds @tensorflow/tfjs
    const { stdout } = await promisify(execFile)(process.execPath, [resolve('bin/run-ts.mjs'), file, run, image], { cwd: dir });
    expect(stdout).toMatch(/digit\.png: \d \d+\.\d%/);
    expect(stdout).toContain('block_1/dispatch [1, 4, 4, 1]');
  }, 60_000);
});

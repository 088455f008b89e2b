// `moec export --to onnx` and `--engine onnx` of predict, eval and bench, end to
// end through the CLI on a trained fixture copied into a temporary run folder.
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { runCli } from '../support/run-cli.ts';
import { FIXTURE_DIR, fixtureModel, testImages, tfjsLogits } from '../export/onnx-fixtures.ts';
import { selectBackend } from '../../runtime/backend.ts';
import sharp from 'sharp';

let run: string;
let spec: string;

beforeAll(async () => {
  await selectBackend('cpu');
  run = join(mkdtempSync(join(tmpdir(), 'moec-onnx-cli-')), 'run');
  cpSync(join(FIXTURE_DIR, 'sinkhorn_token_choice'), run, { recursive: true });
  spec = join(run, 'model.moe');
});

describe('moec export --to onnx', () => {
  it('writes a model whose logits are the checkpoint’s', async () => {
    const out = join(run, 'model.onnx');
    const r = await runCli(['export', spec, '--to', 'onnx', '--checkpoint', run, '-o', out, '--routing']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/exported probe to onnx with the weights of .*step-00000030:\n {2}.*model\.onnx\n/);
    expect(r.stdout).toContain('note: input images [N, 28, 28, 1]');
    expect(r.stdout).toContain('note: outputs logits [N, 10], block_1/dispatch [N, 16, 4, 4], block_1/combine [N, 16, 4, 4]');
    const session = await ort.InferenceSession.create(out);
    const images = testImages(7, 2);
    const got = (await session.run({ images: new ort.Tensor('float32', images, [7, 28, 28, 1]) })).logits!.data as Float32Array;
    const { model } = fixtureModel('sinkhorn_token_choice');
    const want = tfjsLogits(model, images, 7);
    model.dispose();
    await session.release();
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!)))).toBeLessThan(2e-5);
  });

  it('refuses to overwrite without --force, and needs a checkpoint', async () => {
    const out = join(run, 'exists.onnx');
    writeFileSync(out, 'x');
    const r = await runCli(['export', spec, '--to', 'onnx', '--checkpoint', run, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MOE0607');
    const again = await runCli(['export', spec, '--to', 'onnx', '--checkpoint', run, '-o', out, '--force']);
    expect(again.code).toBe(0);
    const none = await runCli(['export', spec, '--to', 'onnx', '-o', join(run, 'none.onnx')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('--to onnx needs trained weights');
  });

  it('names the tensor when the checkpoint belongs to another spec', async () => {
    const r = await runCli(['export', join(FIXTURE_DIR, 'dense', 'model.moe'), '--to', 'onnx', '--checkpoint', run, '-o', join(run, 'bad.onnx')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MOE0509: .*checkpoint holds tensor 'block_1\/moe\/.*' that the model does not have/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('explains a bad --opset, --batch or target', async () => {
    const base = ['export', spec, '--checkpoint', run, '--out', join(run, 'x.onnx')];
    expect((await runCli([...base, '--to', 'onnx', '--opset', '9'])).stderr).toContain('MOE0602: --opset 9 is not supported: the exporter writes opsets 13 to 21');
    expect((await runCli([...base, '--to', 'onnx', '--batch', 'many'])).stderr).toContain("MOE0602: --batch must be a positive integer or 'dynamic', got 'many'");
    expect((await runCli([...base, '--to', 'coreml'])).stderr).toContain("unknown export target 'coreml'");
    expect((await runCli([...base.slice(0, -1), run, '--to', 'onnx'])).stderr).toContain('MOE0607');
  });
});

describe('--engine onnx', () => {
  it('eval gives the tfjs engine’s loss and accuracy, exporting into the run folder', async () => {
    const onnx = await runCli(['eval', spec, '--checkpoint', run, '--engine', 'onnx', '--format', 'json']);
    expect(onnx.code).toBe(0);
    expect(onnx.stderr).toContain(join(run, 'onnx', 'step-00000030.onnx'));
    expect(existsSync(join(run, 'onnx', 'step-00000030.onnx'))).toBe(true);
    const tfjs = await runCli(['eval', spec, '--checkpoint', run, '--backend', 'cpu', '--format', 'json']);
    const a = JSON.parse(onnx.stdout) as { loss: number; accuracy: number; images: number };
    const b = JSON.parse(tfjs.stdout) as { loss: number; accuracy: number; images: number };
    expect(a.images).toBe(b.images);
    expect(a.accuracy).toBe(b.accuracy);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
  });

  it('predict ranks the classes as the tfjs engine does, also from a given .onnx', async () => {
    const image = join(run, 'digit.png');
    const pixels = testImages(1, 9);
    const raw = Buffer.from(Uint8Array.from(pixels, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
    await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w').png().toFile(image);
    const tfjs = await runCli(['predict', spec, image, '--checkpoint', run, '--backend', 'cpu', '--format', 'json']);
    const onnx = await runCli(['predict', spec, image, '--checkpoint', run, '--engine', 'onnx', '--format', 'json']);
    const file = await runCli(['predict', spec, image, '--engine', 'onnx', '--onnx', join(run, 'onnx', 'step-00000030.onnx'), '--format', 'json']);
    for (const r of [tfjs, onnx, file]) expect(r.code).toBe(0);
    type Ranked = { top: { index: number; probability: number }[] }[];
    const [t, o, f] = [tfjs, onnx, file].map((r) => JSON.parse(r.stdout) as Ranked);
    expect(o![0]!.top.map((x) => x.index)).toEqual(t![0]!.top.map((x) => x.index));
    expect(Math.abs(o![0]!.top[0]!.probability - t![0]!.top[0]!.probability)).toBeLessThan(1e-5);
    expect(f).toEqual(o);
  });

  it('reports an unreadable or foreign .onnx clearly', async () => {
    const image = join(run, 'digit.png');
    const garbage = join(run, 'garbage.onnx');
    writeFileSync(garbage, readFileSync(spec));
    const bad = await runCli(['predict', spec, image, '--engine', 'onnx', '--onnx', garbage]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/MOE0605: .*garbage\.onnx: (not an ONNX model|onnxruntime cannot load the model)/);
    const missing = await runCli(['predict', spec, image, '--engine', 'onnx', '--onnx', join(run, 'absent.onnx')]);
    expect(missing.stderr).toMatch(/MOE0605: .*absent\.onnx: cannot read the ONNX model \(ENOENT\)/);
    const other = join(run, 'other.onnx');
    await runCli(['export', join(FIXTURE_DIR, 'dense', 'model.moe'), '--to', 'onnx', '--checkpoint', join(FIXTURE_DIR, 'dense'), '-o', other]);
    const small = join(run, 'small.moe');
    writeFileSync(small, readFileSync(spec, 'utf8').replace('28x28x1', '14x14x1'));
    const mismatch = await runCli(['predict', small, image, '--engine', 'onnx', '--onnx', other]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain("other.onnx: the model takes images [28, 28, 1], the spec's images are [14, 14, 1]");
    const engine = await runCli(['eval', spec, '--checkpoint', run, '--engine', 'tensorrt']);
    expect(engine.stderr).toContain("MOE0608: unknown engine 'tensorrt'");
  });

  it('bench puts tfjs and onnxruntime inference side by side', async () => {
    const r = await runCli(['bench', spec, '--engine', 'onnx', '--backend', 'cpu', '--batch', '4', '--steps', '1', '--json']);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as { batch: number; tfjs: { imagesPerSecond: number }; onnx: { imagesPerSecond: number }; speedup: number; maxLogitDiff: number };
    expect(c.batch).toBe(4);
    expect(c.tfjs.imagesPerSecond).toBeGreaterThan(0);
    expect(c.onnx.imagesPerSecond).toBeGreaterThan(0);
    expect(c.maxLogitDiff).toBeLessThan(2e-5);
  });
});

// `moec export … --to vmoe` from the command line: config only, with a checkpoint,
// an existing output folder refused (nothing overwritten), a spec vmoe cannot
// express refused with its block and field; and `--checkpoint FILE.npz` for eval/predict.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.ts';
import { saveCheckpoint } from '../../runtime/checkpoint/checkpoint.ts';
import { importVmoeNpz } from '../../export/vmoe/import.ts';
import { readWeightsSource } from '../../cli/weights-source.ts';
import { graphOf, specText, weightsFor } from './vmoe-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'moec-export-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BODY = 'pool: gap\n  blocks all: dense\n  blocks last 1: moe(token_choice(experts: 4, k: 2))';
writeFileSync(join(dir, 'm.moe'), specText('m', BODY));
writeFileSync(join(dir, 'bad.moe'), specText('bad', 'pool: gap\n  blocks all: dense\n  blocks 1: moe(token_choice(experts: 4))\n  blocks 2: moe(token_choice(experts: 8))'));

describe('moec export --to vmoe', () => {
  it('writes config.py only without a checkpoint, and refuses to overwrite it', async () => {
    const r = await runCli(['export', 'm.moe', '--to', 'vmoe', '-o', 'out1'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/exported m to vmoe:\n {2}out1\/config\.py\nnote: 40,842 parameters \(config only/);
    const text = readFileSync(join(dir, 'out1/config.py'), 'utf8');
    expect(text).toContain("'layers': (2,),");
    expect(existsSync(join(dir, 'out1/params.npz'))).toBe(false);
    writeFileSync(join(dir, 'out1/config.py'), 'mine');
    const again = await runCli(['export', 'm.moe', '--to', 'vmoe', '-o', 'out1'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/MOE0643: output folder .*out1 already exists; nothing was written/);
    expect(readFileSync(join(dir, 'out1/config.py'), 'utf8')).toBe('mine');
    const forced = await runCli(['export', 'm.moe', '--to', 'vmoe', '-o', 'out1', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'out1/config.py'), 'utf8')).toBe(text);
  });

  it('exports a checkpoint as params.npz that imports back unchanged', async () => {
    const graph = graphOf(BODY);
    const weights = weightsFor(graph);
    const ckpts = join(dir, 'run/checkpoints');
    mkdirSync(ckpts, { recursive: true });
    saveCheckpoint(ckpts, [...weights].map(([name, w]) => ({ name, group: 'param' as const, shape: w.shape, data: w.data })), {
      step: 7, epoch: 0, batchInEpoch: 7, batch: 8, seed: 0, optimizer: { kind: 'adamw', count: 7 }, randomStreams: {}, totalSteps: 7, model: 'm',
    });
    const r = await runCli(['export', 'm.moe', '--to', 'vmoe', '--checkpoint', 'run', '-o', 'out2'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/with the weights of run\/checkpoints\/step-00000007[\s\S]*params\.npz[\s\S]*40,842 parameters in params\.npz/);
    expect(readFileSync(join(dir, 'out2/config.py'), 'utf8')).toContain("'filepath': PARAMS,");
    const back = importVmoeNpz(join(dir, 'out2/params.npz'), graph);
    for (const [name, w] of weights) expect(back.weights.get(name)!.data, name).toEqual(w.data);
    // eval and predict read the same file through --checkpoint FILE.npz.
    const source = readWeightsSource('out2/params.npz', dir, graph);
    expect(source.kind).toBe('npz');
    expect(source.step).toBe(0);
  });

  it('refuses a spec vmoe cannot express, naming block and field, writing nothing', async () => {
    const r = await runCli(['export', 'bad.moe', '--to', 'vmoe', '-o', 'out3'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MOE0640: vmoe cannot express model bad:\n {2}.*bad\.moe:1: model bad, block 2, field router\.experts: block 2: router experts is 8, but block 1 has 4/);
    expect(existsSync(join(dir, 'out3'))).toBe(false);
  });

  it('explains a missing or unknown target', async () => {
    expect((await runCli(['export', 'm.moe', '-o', 'x'], { cwd: dir })).stderr).toMatch(/--to is required[\s\S]*vmoe/);
    expect((await runCli(['export', 'm.moe', '--to', 'tflite', '-o', 'x'], { cwd: dir })).stderr).toMatch(/unknown export target 'tflite'/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});

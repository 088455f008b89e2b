// The TypeScript side of `npm run bench:torch` (bench/torch/), without Python:
// options, the cases and their parameter counts, the hand-off files, the
// agreement checks, the JSON-lines protocol (against a tiny Node worker), the
// ratio table, and that the PyTorch interpreter has a kernel for every op kind the
// bench's graphs use.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseTorchBenchArgs, parseThreads, UsageError } from '../../bench/torch/args.ts';
import { CASES, CASE_NAMES, DEFAULT_CASES, ROUTER_CASES, compileCase, denseTwinText, learningRates, trainBlockSteps, withRouterText } from '../../bench/torch/cases.ts';
import { activeRandomOps, batchArrays, compareLogits, compareLosses, compareParameterCounts, HANDOFF_FILES, writeHandoffGraph } from '../../bench/torch/handoff.ts';
import { isReplyLine, JsonLineWorker, parseReply, WorkerError } from '../../bench/torch/protocol.ts';
import { compareEngines, formatComparison } from '../../bench/torch/report.ts';
import { loadGraphFile } from '../../compiler/graph/schema.ts';
import { parameterCount } from '../../runtime/train/summary.ts';

const known = { cases: CASE_NAMES, defaults: DEFAULT_CASES, routers: ROUTER_CASES, cores: 8 };
const compiled = new Map(CASES.map((c) => [c.name, compileCase(c)]));

describe('bench:torch options', () => {
  it('defaults to every case, 5 rounds, 1 thread and all cores', () => {
    const o = parseTorchBenchArgs([], known);
    expect(o.cases).toEqual(['mnist_soft', 'mnist_dense', 'cifar_soft16']);
    expect([o.rounds, o.steps, o.checkSteps]).toEqual([5, 2, 3]);
    expect(o.threads).toEqual([1, 8]);
    expect(o.threadsExplicit).toBe(false);
  });

  it('reads values with a space or =, and --quick shortens everything', () => {
    const o = parseTorchBenchArgs(['--cases=cifar_soft16', '--rounds', '7', '--threads', '2,1,2', '--profile'], known);
    expect(o).toMatchObject({ cases: ['cifar_soft16'], rounds: 7, threads: [1, 2], threadsExplicit: true, profile: true });
    expect(parseTorchBenchArgs(['--quick'], known)).toMatchObject({ cases: ['mnist_soft', 'mnist_dense'], rounds: 2, steps: 1, inferReps: 1 });
    expect(parseThreads('1,all', 16)).toEqual([1, 16]);
    expect(parseTorchBenchArgs(['--cases', 'mnist_soft,routers'], known).cases).toEqual(['mnist_soft', ...ROUTER_CASES]);
  });

  it('refuses bad options with a message naming them', () => {
    expect(() => parseTorchBenchArgs(['--rounds', '0'], known)).toThrow(/--rounds expects a positive whole number, got "0"/);
    expect(() => parseTorchBenchArgs(['--cases', 'vit_h'], known)).toThrow(/unknown case "vit_h" \(one of mnist_soft/);
    expect(() => parseTorchBenchArgs(['--fast'], known)).toThrow(UsageError);
    expect(() => parseTorchBenchArgs(['--threads', 'two'], known)).toThrow(/--threads expects thread counts or 'all'/);
    expect(() => parseTorchBenchArgs(['--steps'], known)).toThrow(/got nothing/);
  });
});

describe('bench:torch cases', () => {
  it('are the issue\'s models: README example (batch 64), its dense twin, the 16 M Soft MoE (batch 16)', () => {
    const soft = compiled.get('mnist_soft')!;
    const dense = compiled.get('mnist_dense')!;
    const big = compiled.get('cifar_soft16')!;
    expect([soft.train.batch, dense.train.batch, big.train.batch]).toEqual([64, 64, 16]);
    expect(soft.graph.blocks.map((b) => b.kind)).toEqual(['dense', 'dense', 'moe', 'moe']);
    expect(dense.graph.blocks.map((b) => b.kind)).toEqual(['dense', 'dense', 'dense', 'dense']);
    expect(dense.graph.vit).toEqual(soft.graph.vit);
    expect(parameterCount(soft.graph)).toBe(373_004);
    expect(parameterCount(big.graph)).toBeGreaterThan(15.5e6);
    expect(parameterCount(big.graph)).toBeLessThan(16.5e6);
    expect(big.graph.vit).toMatchObject({ image: [32, 32, 3], patch: [4, 4], width: 192, depth: 6 });
    expect(big.graph.blocks.filter((b) => b.kind === 'moe').map((b) => [b.router, b.experts])).toEqual([
      ['soft_moe', 16],
      ['soft_moe', 16],
      ['soft_moe', 16],
    ]);
  });

  it('use their train blocks\' schedule (README example: 15 epochs of 125 steps, warmup 100)', () => {
    const soft = compiled.get('mnist_soft')!;
    expect(trainBlockSteps(soft.train)).toBe(1875);
    expect(learningRates(soft.train.optimizer, soft.train.schedule, 0, 3, soft.totalSteps)).toEqual([5e-5, 1e-4, 1.5e-4].map((x) => expect.closeTo(x, 12)));
  });

  it('cover every router kind on the README example\'s shapes', () => {
    expect(ROUTER_CASES.length).toBeGreaterThanOrEqual(6);
    const routers = new Set(ROUTER_CASES.map((name) => compiled.get(name)!.graph.blocks.at(-1)!.router));
    expect(routers.size).toBe(ROUTER_CASES.length);
    expect(routers.has('soft_moe')).toBe(false); // that one is mnist_soft
    expect(withRouterText('  blocks last 2: moe(soft(experts: 8, slots: 2)) # x\n', 'token_choice(experts: 8, k: 1)')).toBe('  blocks last 2: moe(token_choice(experts: 8, k: 1))\n');
  });

  it('the dense twin needs the MoE rule it removes', () => {
    expect(denseTwinText('model m {\n  blocks all: dense\n  blocks last 2: moe(soft(experts: 8, slots: 2))\n}\n')).toBe('model m {\n  blocks all: dense\n}\n');
    expect(() => denseTwinText('model m { width: 8 }')).toThrow(/no `blocks last N: moe/);
  });

  it('the issue\'s cases have no random op active in training (so the losses must agree)', () => {
    for (const name of DEFAULT_CASES) expect(activeRandomOps(compiled.get(name)!.graph)).toEqual([]);
  });

  it('use only op kinds the PyTorch interpreter has a kernel for (bench/torch/moec_torch/ops.py)', () => {
    const text = readFileSync(join(import.meta.dirname, '../../bench/torch/moec_torch/ops.py'), 'utf8');
    const table = text.slice(text.indexOf('KERNELS: Dict[str, Kernel] = {'));
    const kernels = new Set([...table.slice(0, table.indexOf('\n}\n')).matchAll(/^\s+"(\w+)":/gm)].map((m) => m[1]));
    expect(kernels.size).toBeGreaterThan(40);
    const used = new Set([...compiled.values()].flatMap((c) => c.graph.nodes.map((n) => n.op)));
    const missing = [...used].filter((op) => !['input', 'param', 'constant'].includes(op) && !kernels.has(op));
    expect(missing, 'add a kernel per new op kind to bench/torch/moec_torch/ops.py').toEqual([]);
  });
});

describe('bench:torch hand-off and agreement', () => {
  it('writes a graph the schema accepts, without the resolved-model provenance', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moec-torch-test-'));
    try {
      const graph = compiled.get('mnist_dense')!.graph;
      writeHandoffGraph(dir, graph);
      const loaded = loadGraphFile(join(dir, HANDOFF_FILES.graph));
      expect(loaded.graph?.nodes.length).toBe(graph.nodes.length);
      expect(loaded.graph?.meta.resolved).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands the batch over as float32 images and labels', () => {
    const [images, labels] = batchArrays([2, 1, 1, 1], Float32Array.of(0.5, -1), Int32Array.of(3, 9));
    expect(images).toEqual(['images', { shape: [2, 1, 1, 1], data: Float32Array.of(0.5, -1) }]);
    expect(labels).toEqual(['labels', { shape: [2], data: Float32Array.of(3, 9) }]);
    expect(() => batchArrays([2, 2], Float32Array.of(1), Int32Array.of(0, 1))).toThrow(/1 values for shape/);
  });

  it('parameter counts must agree three ways: graph, moec, torch', () => {
    const graph = compiled.get('mnist_soft')!.graph;
    const all = parameterCount(graph, false);
    const right = { params: 373_004, allParams: all, tensors: graph.params.length };
    expect(compareParameterCounts(graph, right, right)).toEqual({ equal: true, text: `373,004 trainable parameters (${graph.params.length} tensors) on both sides` });
    const off = compareParameterCounts(graph, right, { ...right, params: 373_003 });
    expect(off.equal).toBe(false);
    expect(off.text).toMatch(/torch 373003/);
  });

  it('losses agree to the stated relative tolerance, logits relative to their scale', () => {
    expect(compareLosses([2.3025835, 2.3018718], [2.3025851, 2.3018718])).toMatchObject({ equal: true });
    expect(compareLosses([2.30258], [2.30358]).equal).toBe(false);
    expect(compareLosses([1], [Number.NaN]).equal).toBe(false);
    expect(compareLosses([], []).equal).toBe(false);
    expect(compareLogits([10, -20], [10.001, -20]).equal).toBe(true); // 1e-3 / 20
    expect(compareLogits([0.1, 0.2], [0.1, 0.21]).equal).toBe(false);
  });
});

describe('bench:torch protocol', () => {
  it('tells replies from stray output, and failures from answers', () => {
    expect(isReplyLine('{"ok": true, "x": 1}')).toBe(true);
    expect(isReplyLine('Warning: something')).toBe(false);
    expect(parseReply('w', '{"ok":true,"n":2}')).toEqual({ ok: true, n: 2 });
    expect(() => parseReply('w', '{"ok":false,"error":"no such op"}')).toThrow(new WorkerError('w', 'no such op'));
    expect(() => parseReply('w', '{"ok":tru')).toThrow(/not JSON/);
  });

  it('talks to a persistent worker in order, and reports its death', async () => {
    const script = [
      "const rl = require('node:readline').createInterface({ input: process.stdin });",
      "rl.on('line', (l) => { const r = JSON.parse(l);",
      "  if (r.cmd === 'die') process.exit(3);",
      "  console.log('a stray line');",
      "  console.log(JSON.stringify(r.cmd === 'quit' ? { ok: true } : r.cmd === 'add' ? { ok: true, sum: r.a + r.b } : { ok: false, error: 'unknown ' + r.cmd }));",
      '});',
    ].join('\n');
    const stray: string[] = [];
    const w = new JsonLineWorker('test worker', process.execPath, ['-e', script], { onStray: (l) => stray.push(l) });
    const [a, b] = await Promise.all([w.request({ cmd: 'add', a: 1, b: 2 }), w.request({ cmd: 'add', a: 5, b: 5 })]);
    expect([a.sum, b.sum]).toEqual([3, 10]);
    await expect(w.request({ cmd: 'nope' })).rejects.toThrow('test worker: unknown nope');
    await expect(w.request({ cmd: 'die' })).rejects.toThrow(/test worker: exited \(code 3\)/);
    expect(stray).toEqual(['a stray line', 'a stray line', 'a stray line']);
    await w.close();
  });
});

describe('bench:torch figures', () => {
  it('ratios are moec / torch of the medians over rounds; inference in images per second', () => {
    const row = compareEngines('mnist_soft', 64, 1, 1, { trainMs: [300, 100, 200], inferMs: [64, 64, 640] }, { trainMs: [100, 100, 50], inferMs: [16, 32, 32] });
    expect(row.moecTrainMs).toBe(200);
    expect(row.torchTrainMs).toBe(100);
    expect(row.trainRatio).toBe(2);
    expect(row.trainRatioRange).toEqual([1, 4]);
    expect(row.moecInferImagesPerS).toBe(1000);
    expect(row.torchInferImagesPerS).toBe(2000);
    expect(row.inferRatio).toBe(2);
    const table = formatComparison([row, { ...row, case: 'cifar_soft16', threads: 2, moecThreads: 1 }]);
    expect(table).toMatch(/mnist_soft \(64\).*2\.00× ✓/);
    expect(table).toMatch(/cifar_soft16 \(64\).*torch 2, moec 1.*2\.00× +│/); // no target mark at unequal threads
    expect(formatComparison([{ ...row, case: 'cifar_soft16' }])).toMatch(/2\.00× ✗/);
    expect(() => compareEngines('x', 1, 1, 1, { trainMs: [1], inferMs: [1] }, { trainMs: [], inferMs: [] })).toThrow(/different numbers of rounds/);
  });
});

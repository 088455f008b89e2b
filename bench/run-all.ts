// `npm run bench`: every figure of docs/performance.md in one run, side by side,
// printed as ratios with shapes, backend and repetitions (medians of several runs).
//   npm run bench -- [--quick] [--reps N] [--backend wasm|cpu|…] [--only 1,1b,2,3,4,onnx,parse,compile] [--json FILE] [--native-slice]
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseBenchArgs, say, useBackend } from './common.ts';
import { benchRouterLayers, renderRouterLayers, type RouterLayerRow } from './router-layers.ts';
import { benchThroughput, renderThroughput } from './throughput.ts';
import { benchVsHand, renderVsHand } from './vs-hand.ts';
import { benchScaling, renderScaling } from './scaling.ts';
import { benchBatched, renderBatched } from './batched-matmul.ts';
import { formatRatio } from '../runtime/bench/stats.ts';
import { benchOnnxInference, onnxSummary, renderOnnxInference } from './onnx-inference.ts';

const options = parseBenchArgs(process.argv.slice(2));
const wanted = (name: string): boolean => !options.only || options.only.includes(name);
const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

const started = performance.now();
const backend = await useBackend(options.backend, options.nativeSlice);
const cpu = cpus();
say(`moec benchmarks — ${new Date().toISOString()}`);
say(`machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, tfjs ${tf.version.tfjs}, backend ${backend}${options.quick ? ', --quick' : ''}`);
say(`each figure: median of ${options.reps} runs after a warm-up unless stated; other processes may share the CPU`);
say();

const results: Record<string, unknown> = { date: new Date().toISOString(), backend, machine: `${cpu.length} × ${cpu[0]?.model.trim()}`, quick: options.quick, reps: options.reps };
const summary: string[] = [];

if (wanted('1')) {
  const rows = await benchRouterLayers(options);
  results.routerLayers = rows;
  say(renderRouterLayers(rows, options.reps));
  say();
  const byShape = new Map<string, RouterLayerRow[]>();
  for (const r of rows) byShape.set(r.shape, [...(byShape.get(r.shape) ?? []), r]);
  for (const [shape, list] of byShape) {
    const soft = list.find((r) => r.router === 'soft_moe');
    const worst = list.filter((r) => r.vsSoft !== undefined).sort((a, b) => b.vsSoft! - a.vsSoft!)[0];
    if (soft) summary.push(`Soft MoE / dense, ${shape}: ${formatRatio(soft.ratio, 1.2)}`);
    if (worst) summary.push(`slowest sparse router / Soft MoE, ${shape}: ${worst.router} ${formatRatio(worst.vsSoft!, 2)}`);
  }
}
if (wanted('1b')) {
  const rows = await benchBatched(options);
  results.batchedProducts = rows;
  say(renderBatched(rows, options.reps));
  say();
}
if (wanted('2')) {
  const r = await benchThroughput(options);
  results.throughput = r;
  say(renderThroughput(r));
  say();
  summary.push(`training-step FLOP/s / matMul FLOP/s (ViT-S shapes): ${formatRatio(r.ratio, 0.5, 'min')}`);
}
if (wanted('3')) {
  const r = await benchVsHand(options);
  results.vsHand = r;
  say(renderVsHand(r));
  say();
  summary.push(`compiled / hand-written ViT training step: ${formatRatio(r.ratio, 1.05)}`);
}
if (wanted('4')) {
  const r = await benchScaling(options);
  results.scaling = r;
  say(renderScaling(r));
  say();
}
if (wanted('onnx')) {
  const rows = await benchOnnxInference(options);
  results.onnxInference = rows;
  say('(onnx) inference on tfjs and onnxruntime, same weights, alternating runs');
  say(renderOnnxInference(rows));
  say();
  summary.push(...onnxSummary(rows));
}
for (const name of ['parse', 'compile']) {
  const script = join(here, `${name}.ts`);
  if (!wanted(name) || !existsSync(script)) continue;
  say(`(${name}) bench/${name}.ts`);
  const run = spawnSync(process.execPath, [join(root, 'bin', 'run-ts.mjs'), script], { cwd: root, encoding: 'utf8' });
  const text = (run.stdout ?? '') + (run.status === 0 ? '' : `failed (exit ${run.status}): ${(run.stderr ?? '').split('\n').slice(-5).join('\n')}`);
  results[name] = text.trim();
  say(text.trimEnd().split('\n').map((l) => `  ${l}`).join('\n'));
  say();
}

say('summary (targets from issue 6):');
for (const line of summary) say(`  ${line}`);
say(`total time ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (options.json) {
  writeFileSync(options.json, JSON.stringify(results, null, 2) + '\n');
  say(`wrote ${options.json}`);
}

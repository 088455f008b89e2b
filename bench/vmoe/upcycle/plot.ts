// Draws the upcycling experiment (bench/vmoe/upcycle/upcycle.moe): test accuracy
// per step of the dense run, the MoE run upcycled from it, and the same MoE from
// scratch; prints the table for docs/vmoe.md.
//
//   node bin/run-ts.mjs bench/vmoe/upcycle/plot.ts DENSE_RUN UPCYCLED_RUN SCRATCH_RUN STEP0_ACCURACY OUT.svg
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChartSvg, svgToPng } from '../../../runtime/plots/line-chart.ts';

interface Eval {
  readonly step: number;
  readonly accuracy: number;
}

function evals(run: string): Eval[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { step: number; split: string; accuracy: number })
    .filter((r) => r.split === 'test')
    .map((r) => ({ step: r.step, accuracy: r.accuracy }));
}

const [denseRun, upRun, scratchRun, step0, out] = process.argv.slice(2);
if (!denseRun || !upRun || !scratchRun || !step0 || !out) throw new Error('usage: plot.ts DENSE UPCYCLED SCRATCH STEP0_ACCURACY OUT.svg');
const dense = evals(denseRun);
const up = [{ step: 0, accuracy: Number(step0) }, ...evals(upRun)];
const scratch = evals(scratchRun);
const target = dense[dense.length - 1]!.accuracy;
const svg = lineChartSvg({
  title: 'Sparse upcycling on MNIST: test accuracy (same data, steps, seed)',
  xLabel: 'training step of the MoE run (upcycled: after the 400 dense steps)',
  yLabel: 'test accuracy',
  yRange: [0, 1],
  series: [
    { name: 'upcycled MoE', points: up.map((e) => [e.step, e.accuracy] as const) },
    { name: 'MoE from scratch', points: scratch.map((e) => [e.step, e.accuracy] as const) },
    { name: 'dense (source)', points: dense.map((e) => [e.step, e.accuracy] as const) },
  ],
});
writeFileSync(out, svg);
writeFileSync(out.replace(/\.svg$/, '.png'), svgToPng(svg));
const reach = (s: Eval[]) => s.find((e) => e.accuracy >= target)?.step;
process.stdout.write(`dense final accuracy ${(target * 100).toFixed(1)}%; upcycled step 0: ${(Number(step0) * 100).toFixed(1)}%\n`);
process.stdout.write(`first step at or above it: upcycled ${reach(up) ?? 'never'}, scratch ${reach(scratch) ?? 'never'}\n\n`);
process.stdout.write('| step | dense | upcycled MoE | MoE from scratch |\n| ---: | ---: | ---: | ---: |\n');
const steps = [...new Set([...up, ...scratch, ...dense].map((e) => e.step))].sort((a, b) => a - b);
const at = (s: Eval[], step: number) => {
  const e = s.find((x) => x.step === step);
  return e ? `${(e.accuracy * 100).toFixed(1)}%` : '';
};
for (const step of steps) process.stdout.write(`| ${step} | ${at(dense, step)} | ${at(up, step)} | ${at(scratch, step)} |\n`);

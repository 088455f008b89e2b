// Renders a ModelBenchReport as text tables (cli-table3) for `moec bench`.
import Table from 'cli-table3';
import type { ModelBenchReport } from './model-bench.ts';
import type { TimeShare } from './profile.ts';
import { formatBytes, formatMs, formatRate } from './stats.ts';

const PLAIN = {
  style: { head: [], border: [] },
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
};

function shareTable(title: string, rows: readonly TimeShare[], limit: number): string {
  const table = new Table({ head: [title, 'calls', 'time', 'share'], colAligns: ['left', 'right', 'right', 'right'], ...PLAIN });
  const shown = rows.slice(0, limit);
  for (const r of shown) table.push([r.name, String(r.calls), formatMs(r.ms), `${(r.share * 100).toFixed(1)} %`]);
  const rest = rows.slice(limit);
  if (rest.length > 0) {
    const ms = rest.reduce((a, r) => a + r.ms, 0);
    const share = rest.reduce((a, r) => a + r.share, 0);
    table.push([`(${rest.length} more)`, String(rest.reduce((a, r) => a + r.calls, 0)), formatMs(ms), `${(share * 100).toFixed(1)} %`]);
  }
  return table.toString();
}

export function renderModelBench(r: ModelBenchReport, options: { topKernels?: number } = {}): string {
  const out: string[] = [];
  out.push(
    `moec bench: model ${r.model}, backend ${r.backend}, batch ${r.batch}, median of ${r.reps} runs after a warm-up`,
    `  ${r.params.toLocaleString('en-US')} parameters, ${formatRate(r.forwardFlopsPerImage, 'FLOPs')} forward per image (training step counted as 3× forward)`,
  );
  const main = new Table({ head: ['measure', 'time / batch', 'images/s', 'useful FLOP/s', 'min … max'], colAligns: ['left', 'right', 'right', 'right', 'right'], ...PLAIN });
  main.push([
    r.train.includesUpdate ? 'training step (fwd+bwd+AdamW)' : 'training step (fwd+bwd, no update)',
    formatMs(r.train.timing.medianMs),
    r.train.imagesPerSecond.toFixed(1),
    formatRate(r.train.flopsPerSecond),
    `${formatMs(r.train.timing.minMs)} … ${formatMs(r.train.timing.maxMs)}`,
  ]);
  main.push([
    'inference (forward)',
    formatMs(r.inference.timing.medianMs),
    r.inference.imagesPerSecond.toFixed(1),
    formatRate(r.inference.flopsPerSecond),
    `${formatMs(r.inference.timing.minMs)} … ${formatMs(r.inference.timing.maxMs)}`,
  ]);
  out.push(main.toString());
  const mem: string[] = [];
  if (r.memory.stepPeakTensorBytes !== undefined) mem.push(`peak tensor bytes in a step ${formatBytes(r.memory.stepPeakTensorBytes)}`);
  if (r.memory.wasmHeapBytes !== undefined) mem.push(`wasm heap ${formatBytes(r.memory.wasmHeapBytes)}`);
  mem.push(`RSS ${formatBytes(r.memory.rssBytes)}`);
  out.push(`memory: ${mem.join(', ')}`);
  if (r.profile) {
    out.push('', 'forward pass, per op kind (profiling pass: every kernel call timed; on webgpu with a read-back):');
    out.push(shareTable('op', r.profile.forwardByOp, 12));
    out.push('', 'forward pass, per block:');
    out.push(shareTable('block', r.profile.forwardByBlock, 64));
    out.push('', 'training step (forward + backward + update), per tfjs kernel (tf.profile):');
    out.push(shareTable('kernel', r.profile.stepByKernel, options.topKernels ?? 12));
  }
  return out.join('\n') + '\n';
}

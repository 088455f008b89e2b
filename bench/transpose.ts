// tfjs-backend-wasm's own Transpose against moec's SIMD one (runtime/kernels/wasm-transpose.ts)
// on the shapes a training step transposes (README example, cifar_soft16), wasm 1 thread.
// Side by side: each round times a batch of calls with the old kernel and one with the
// new, alternating which goes first; per shape the median time per call of each and the
// median of the per-round new/old ratios. Checks that both give the same bits.
// Run: node bin/run-ts.mjs bench/transpose.ts [--rounds 21] [--quick]
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { installWasmTransposeKernel, uninstallWasmTransposeKernel } from '../runtime/kernels/wasm-transpose.ts';
import { parseBenchArgs, say, useBackend } from './common.ts';

const CASES: { shape: number[]; perm: number[] }[] = [
  ...[[1024, 64], [1024, 192], [1024, 768], [192, 768], [768, 192], [128, 128], [128, 64], [48, 49]].map((shape) => ({ shape, perm: [1, 0] })),
  ...[[256, 16, 16], [16, 768, 192], [16, 192, 768]].map((shape) => ({ shape, perm: [0, 2, 1] })),
  ...[[64, 16, 4, 16], [64, 4, 16, 16]].map((shape) => ({ shape, perm: [0, 2, 1, 3] })),
  { shape: [8, 32, 6, 192], perm: [1, 0, 2, 3] },
];

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** ms per call of `calls` transposes with the kernel now registered (outputs freed after the clock stops). */
function timeCalls(x: tf.Tensor, perm: number[], calls: number): number {
  const ys: tf.Tensor[] = [];
  const start = performance.now();
  for (let i = 0; i < calls; i++) ys.push(tf.transpose(x, perm));
  const ms = (performance.now() - start) / calls;
  tf.dispose(ys);
  return ms;
}

function withKernel<T>(fast: boolean, f: () => T): T {
  if (fast) installWasmTransposeKernel();
  else uninstallWasmTransposeKernel();
  return f();
}

function bits(x: tf.Tensor, perm: number[]): Uint32Array {
  const y = tf.transpose(x, perm);
  const out = new Uint32Array((y.dataSync() as Float32Array).slice().buffer);
  y.dispose();
  return out;
}

function sameBits(x: tf.Tensor, perm: number[]): boolean {
  const [a, b] = [withKernel(false, () => bits(x, perm)), withKernel(true, () => bits(x, perm))];
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseBenchArgs(argv);
  const i = argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(argv[i + 1]) : options.quick ? 5 : 21;
  say(`Transpose, tfjs-backend-wasm's kernel (old) vs moec's SIMD kernel (new): ${await useBackend('wasm')}; load average ${loadavg()[0]!.toFixed(2)}`);
  say('shape, perm: old ms/call, new ms/call, new/old (median of the per-round ratios), same bits');
  const ratios: number[] = [];
  for (const { shape, perm } of CASES) {
    const x = tf.randomNormal(shape);
    const calls = Math.max(4, Math.round(1e6 / x.size)); // ≈ 1 M elements (~3 ms of the old kernel) per batch
    const [old, now, ratio]: number[][] = [[], [], []];
    withKernel(false, () => timeCalls(x, perm, calls));
    withKernel(true, () => timeCalls(x, perm, calls));
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [false, true] : [true, false];
      const t = new Map(order.map((fast) => [fast, withKernel(fast, () => timeCalls(x, perm, calls))]));
      old.push(t.get(false)!);
      now.push(t.get(true)!);
      ratio.push(t.get(true)! / t.get(false)!);
    }
    const same = sameBits(x, perm);
    x.dispose();
    ratios.push(median(ratio));
    say(`  [${shape.join(',')}] [${perm.join(',')}]: old ${median(old).toFixed(4)} ms, new ${median(now).toFixed(4)} ms, new/old ${median(ratio).toFixed(3)}, ${same ? 'same bits' : 'DIFFERENT BITS'}`);
  }
  installWasmTransposeKernel();
  say(`load average at the end ${loadavg()[0]!.toFixed(2)}; median new/old over the shapes ${median(ratios).toFixed(3)}`);
}

await main();

// Routing numbers against hand-built models whose routing is known in advance:
// every token sent to expert 0 (one colour, the drops the capacity implies), and
// a Soft MoE slot whose logits favour one patch (that patch is the hottest).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { analyseRoutes } from '../../runtime/routes/routes.ts';
import { patchGrid, selectBlocks } from '../../runtime/routes/layout.ts';
import { routingSvg, expertColour } from '../../runtime/routes/picture.ts';
import { makeSplit } from '../../runtime/data/dataset.ts';
import { compileTiny, fill, modelWith } from './helpers.ts';

await tf.setBackend('cpu');

function images(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * 64 }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
}

describe('token choice: every token prefers expert 0', () => {
  // LayerNorm 2 with scale 0 and bias 1 makes every token the same vector; the
  // router kernel's column 0 is the only non-zero one, so expert 0 wins everywhere.
  // 4 experts, k 1, capacity factor 1: C = 4·1/4 = 1 slot per expert per group of 4.
  const graph = compileTiny('token_choice(experts: 4, k: 1, capacity: 1.0, multiple_of: 1)');
  const model = modelWith(graph, {
    'block_0/ln2/scale': fill(0),
    'block_0/ln2/bias': fill(1),
    'block_0/moe/router/kernel': (shape) => Float32Array.from({ length: shape[0]! * shape[1]! }, (_, i) => (i % shape[1]! === 0 ? 1 : 0)),
  });
  const blocks = selectBlocks(graph);
  const grid = patchGrid(graph);

  it('keeps one patch per image in expert 0 and drops the rest, as capacity 1 of 4 implies', async () => {
    const before = tf.memory().numTensors;
    const n = 6;
    const pixels = images(n);
    const split = makeSplit(pixels, Int32Array.from({ length: n }, (_, i) => i % 3));
    const report = await analyseRoutes({ model, blocks, grid, classes: ['a', 'b', 'c'], images: { pixels: pixels.slice(0, 2 * 64), names: ['x', 'y'] }, statsSplit: { split, description: 'six' } });
    expect(tf.memory().numTensors).toBe(before);
    expect(blocks[0]!.capacity).toBe(1);
    for (const image of report.images) {
      const r = image.blocks['0']!;
      if (r.kind !== 'sparse') throw new Error('expected sparse routes');
      // Slot order follows token position: patch 0 takes the one slot.
      expect(r.expert).toEqual([0, -1, -1, -1]);
      expect(r.dropped).toEqual([false, true, true, true]);
      expect(r.expertTokens).toEqual([1, 0, 0, 0]);
      expect(r.fill).toEqual([1, 0, 0, 0]);
    }
    const s = report.blocks[0]!.stats!;
    expect(s.images).toBe(n);
    expect(s.dropRate).toBeCloseTo(0.75, 6);
    expect(s.expertsPerToken).toEqual([3 * n, n, 0, 0, 0]);
    expect(s.load).toEqual([1, 0, 0, 0]);
    expect(s.fill).toEqual([1, 0, 0, 0]);
    expect(s.classUsage).toEqual([[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]]);
  });

  it('draws the kept patches in one colour (expert 0) and marks the dropped ones', async () => {
    const pixels = images(1);
    const report = await analyseRoutes({ model, blocks, grid, classes: ['a', 'b', 'c'], images: { pixels, names: ['x'] } });
    const svg = routingSvg({ block: report.blocks[0]!, grid, image: pixels, routes: report.images[0]!.blocks['0']!, caption: 'x' });
    const patchFills = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="([^"]+)" fill-opacity="0.5"/g)].map((m) => m[1]);
    expect(new Set(patchFills)).toEqual(new Set([expertColour(0)]));
    expect(svg).toContain('dropped: 3 of 4 patches');
  });
});

describe('Soft MoE: a slot whose logits favour one patch', () => {
  // Tokens are the position embedding only (patch embedding and attention output
  // zeroed): patch 2 has a large first component, the others are 0. Slot (0, 0)'s
  // parameter points along LayerNorm(patch 2), so its logits favour patch 2.
  const graph = compileTiny('soft(experts: 2, slots: 2)');
  const hot = 2;
  const d = 8;
  const ln = Float32Array.from({ length: d }, (_, i) => (i === 0 ? 1 : -1 / (d - 1)));
  const model = modelWith(graph, {
    'embedding/kernel': fill(0),
    'embedding/bias': fill(0),
    'block_0/attention/out/kernel': fill(0),
    'block_0/attention/out/bias': fill(0),
    posemb: (shape) => Float32Array.from({ length: shape[0]! * shape[1]! }, (_, i) => (Math.floor(i / d) === hot && i % d === 0 ? 5 : 0)),
    'block_0/moe/router/mu': (shape) => {
      const [, E, P] = shape as [number, number, number];
      const out = new Float32Array(d * E * P);
      for (let k = 0; k < d; k++) out[k * E * P] = ln[k]!; // column (e 0, slot 0)
      return out;
    },
    'block_0/moe/router/scale': fill(10),
  });
  const blocks = selectBlocks(graph);
  const grid = patchGrid(graph);

  it('shows that patch hottest in the slot dispatch weights', async () => {
    const pixels = images(2);
    const report = await analyseRoutes({ model, blocks, grid, classes: ['a', 'b', 'c'], images: { pixels, names: ['x', 'y'] }, choice: { slot: { expert: 0, slot: 0 }, patch: hot } });
    for (const image of report.images) {
      const r = image.blocks['0']!;
      if (r.kind !== 'soft') throw new Error('expected soft routes');
      expect(r.hottest).toBe(hot);
      expect(r.dispatch.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (let p = 0; p < 4; p++) if (p !== hot) expect(r.dispatch[hot]!).toBeGreaterThan(r.dispatch[p]! * 5);
      expect(r.combine.flat().reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      // Without a chosen slot, the slot peaking on the image is (0, 0) at the same patch.
      expect(r.topSlots[0]).toMatchObject({ expert: 0, slot: 0, patch: hot });
    }
    const auto = await analyseRoutes({ model, blocks, grid, classes: ['a', 'b', 'c'], images: { pixels, names: ['x', 'y'] } });
    const r = auto.images[0]!.blocks['0']!;
    expect(r.kind === 'soft' && r.slot).toEqual({ expert: 0, slot: 0 });
  });
});

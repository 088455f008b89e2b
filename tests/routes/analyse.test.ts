// The routing numbers from hand-written dispatch/combine tensors (no model):
// expert choice with a token taken twice and one dropped, groups spanning images.
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { BlockStatsAccumulator, imageRoutes } from '../../runtime/routes/analyse.ts';
import type { PatchGrid, RoutedBlock } from '../../runtime/routes/layout.ts';
import { encodePng } from '../../runtime/routes/png.ts';
import { escapeHtml, inlineScript, jsonForScript } from '../../runtime/report/escape.ts';

const grid: PatchGrid = { image: [4, 4, 1], patch: [2, 2], rows: 2, cols: 2, prefix: 0, tokens: 4 };
const block = (group: number): RoutedBlock => ({ index: 0, family: 'expert_choice', router: 'softmax_expert_choice', experts: 2, capacity: 2, group, k: 0 });

/** D and Cw [G,S,E,C] for one image: expert 0 takes tokens 0, 1; expert 1 takes tokens 1, 2; token 3 is left. */
function oneImage(): { dispatch: number[]; combine: number[] } {
  const dispatch = new Array<number>(4 * 2 * 2).fill(0);
  const combine = [...dispatch];
  const put = (t: number, e: number, c: number, w: number) => {
    dispatch[(t * 2 + e) * 2 + c] = 1;
    combine[(t * 2 + e) * 2 + c] = w;
  };
  put(0, 0, 0, 0.9);
  put(1, 0, 1, 0.3);
  put(1, 1, 0, 0.7);
  put(2, 1, 1, 0.5);
  return { dispatch, combine };
}

describe('routing analysis of expert choice', () => {
  it('ranks a token’s experts by gate, marks the untaken token dropped', () => {
    const { dispatch, combine } = oneImage();
    const r = imageRoutes(block(4), grid, { images: 1, dispatch: Float32Array.from(dispatch), combine: Float32Array.from(combine) }, 0);
    if (r.kind !== 'sparse') throw new Error('sparse expected');
    expect(r.expert).toEqual([0, 1, 1, -1]);
    expect(r.second).toEqual([-1, 0, -1, -1]);
    expect(r.kept).toEqual([1, 2, 1, 0]);
    expect(r.dropped).toEqual([false, false, false, true]);
    expect(r.expertTokens).toEqual([2, 2]);
    expect(r.fill).toEqual([1, 1]);
  });

  it('accumulates drop rate, experts per token, load and class usage over images', () => {
    const a = oneImage();
    const two = { images: 2, dispatch: Float32Array.from([...a.dispatch, ...a.dispatch]), combine: Float32Array.from([...a.combine, ...a.combine]) };
    const acc = new BlockStatsAccumulator(block(4), grid, 2);
    acc.add(two, [0, 1]);
    const s = acc.summary();
    expect(s.tokens).toBe(8);
    expect(s.dropRate).toBe(0.25);
    expect(s.choiceDropRate).toBe(0.25);
    expect(s.expertsPerToken).toEqual([2, 4, 2]);
    expect(s.meanExpertsPerToken).toBe(1);
    // Token 1 splits its unit between the experts: each expert gets 1.5 of 3 units.
    expect(s.load).toEqual([0.5, 0.5]);
    expect(s.classUsage).toEqual([[0.5, 0.5], [0.5, 0.5]]);
    expect(s.classImages).toEqual([1, 1]);
    expect(s.fill).toEqual([1, 1]);
  });

  it('reads tokens of groups that span two images at the right rows', () => {
    // Group of 8 = two images of 4 tokens: image 1's tokens are rows 4–7 of group 0.
    const a = oneImage();
    const empty = new Array<number>(a.dispatch.length).fill(0);
    const batch = { images: 2, dispatch: Float32Array.from([...empty, ...a.dispatch]), combine: Float32Array.from([...empty, ...a.combine]) };
    const r = imageRoutes({ ...block(8), capacity: 2 }, grid, batch, 1);
    expect(r.kind === 'sparse' && r.expert).toEqual([0, 1, 1, -1]);
    const r0 = imageRoutes({ ...block(8), capacity: 2 }, grid, batch, 0);
    expect(r0.kind === 'sparse' && r0.dropped).toEqual([true, true, true, true]);
  });

  it('refuses tensors of the wrong size', () => {
    expect(() => imageRoutes(block(4), grid, { images: 2, dispatch: new Float32Array(16), combine: new Float32Array(16) }, 0)).toThrow(/expected 32/);
  });
});

describe('picture and page helpers', () => {
  it('encodes PNGs that decode to the same pixels', async () => {
    const grey = Uint8Array.from({ length: 6 * 5 }, (_, i) => i * 8);
    const meta = await sharp(encodePng(grey, 6, 5, 1)).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([6, 5, 1]);
    const data = await sharp(encodePng(grey, 6, 5, 1)).extractChannel(0).raw().toBuffer();
    expect([...data]).toEqual([...grey]);
    const rgb = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => 255 - i * 10);
    const decoded = await sharp(encodePng(rgb, 3, 2, 3)).raw().toBuffer();
    expect([...decoded]).toEqual([...rgb]);
  });

  it('escapes user text for HTML and JSON islands', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
    const island = jsonForScript({ s: '</script><script>alert(1)</script><!-- \u2028' });
    expect(island).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(island)).toEqual({ s: '</script><script>alert(1)</script><!-- \u2028' });
    expect(inlineScript('a="</script>";b="<!--"')).toBe('a="<\\/script>";b="<\\!--"');
  });
});

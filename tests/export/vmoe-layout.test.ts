// moec → vmoe parameter names and shapes, pinned to what vmoe's own code built from
// the exported configs (bench/vmoe/verify.py; tests/fixtures/vmoe/verified.json),
// and the paper-scale parameter counts vmoe confirmed for every spec in specs/.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { costOf } from '../../compiler/cost.ts';
import { loadProgram } from '../../compiler/index.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import { toVmoeArrays, vmoeLayout, vmoeParamCount, vmoeShapes } from '../../export/vmoe/layout.ts';
import { codedMessage } from '../support/fault.ts';
import { VERIFIED, graphOf, weightsFor } from './vmoe-support.ts';

describe('vmoe layout', () => {
  for (const [name, c] of Object.entries(VERIFIED.cases)) {
    it(`${name}: every leaf has vmoe's name and shape, the count is vmoe's`, () => {
      const graph = graphOf(c.spec, name);
      const layout = vmoeLayout(graph);
      const shapes = Object.fromEntries([...vmoeShapes(layout)].map(([k, v]) => [k, [...v]]));
      expect(shapes).toEqual(c.leaves);
      expect(vmoeParamCount(layout)).toBe(c.params);
      expect(costOf(graph).totalParams).toBe(c.params);
    });
  }

  it("paper scale: every spec in specs/ has vmoe's parameter count", () => {
    const seen: Record<string, number> = {};
    for (const f of readdirSync('specs').filter((f) => f.endsWith('.moe') && f !== 'presets.moe')) {
      const program = loadProgram(join('specs', f));
      for (const name of program.entryModels) {
        const layout = vmoeLayout(lowerModel(program.models.get(name)!, {}));
        seen[name] = vmoeParamCount(layout);
      }
    }
    expect(seen).toEqual(VERIFIED.paper);
    expect(seen.soft_moe_b16).toBe(3_685_649_134);
    expect(seen.vmoe_b32).toBe(286_603_240);
  });

  it('splits the fused qkv projection into flax query/key/value [d, heads, head_dim]', () => {
    const graph = graphOf('pool: gap\n  blocks all: dense');
    const weights = weightsFor(graph);
    const arrays = toVmoeArrays(vmoeLayout(graph), weights);
    const d = 32;
    const H = 4;
    const hd = 8;
    const qkv = weights.get('block_1/attention/qkv/kernel')!.data; // [d, 3d]
    const at = (name: string) => arrays.get(`Encoder/encoderblock_1/SelfAttention/${name}`)!;
    for (const [part, offset] of [['query', 0], ['key', d], ['value', 2 * d]] as const) {
      const k = at(`${part}/kernel`);
      expect(k.shape).toEqual([d, H, hd]);
      for (const [i, h, j] of [[0, 0, 0], [5, 2, 3], [31, 3, 7]] as const) expect(k.data[(i * H + h) * hd + j]).toBe(qkv[i * 3 * d + offset + h * hd + j]);
    }
    const bias = weights.get('block_1/attention/qkv/bias')!.data;
    expect(at('value/bias').data).toEqual(bias.slice(2 * d, 3 * d));
    // out: [d, d] rows are (head, head_dim) → [H, hd, d], a plain reshape.
    expect(at('out/kernel').data).toEqual(weights.get('block_1/attention/out/kernel')!.data);
    // The patch kernel [ph·pw·C, d] is the conv kernel [ph, pw, C, d] in the same order.
    expect(arrays.get('embedding/kernel')).toEqual({ shape: [7, 7, 1, d], data: weights.get('embedding/kernel')!.data });
  });

  it('drops the sincos table (vmoe computes it) and keeps a learned one as [1, T, d]', () => {
    expect(toVmoeArrays(vmoeLayout(graphOf('pool: cls\n  posemb: sincos2d\n  blocks all: dense')), weightsFor(graphOf('pool: cls\n  posemb: sincos2d\n  blocks all: dense'))).has('Encoder/posembed_input/pos_embedding')).toBe(false);
    const g = graphOf('pool: cls\n  blocks all: dense');
    expect(toVmoeArrays(vmoeLayout(g), weightsFor(g)).get('Encoder/posembed_input/pos_embedding')!.shape).toEqual([1, 17, 32]);
  });

  it('refuses a checkpoint that lacks a parameter or has it in another shape', () => {
    const g = graphOf('pool: gap\n  blocks all: dense');
    const w = weightsFor(g);
    w.delete('head/bias');
    expect(codedMessage(() => toVmoeArrays(vmoeLayout(g), w))).toMatch(/MOE0509.*'head\/bias'/);
    const w2 = weightsFor(g);
    w2.set('head/bias', { shape: [11], data: new Float32Array(11) });
    expect(codedMessage(() => toVmoeArrays(vmoeLayout(g), w2))).toMatch(/MOE0509.*\[11\].*\[10\]/);
  });
});

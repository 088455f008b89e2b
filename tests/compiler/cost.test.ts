// Parameter counts and FLOPs of compiled graphs against closed-form formulas
// written here independently of the lowering (language.md §3.3 layout).
import { describe, expect, it } from 'vitest';
import { lowerModel } from '../../compiler/lower/index.ts';
import { costOf, expertsPerToken } from '../../compiler/cost.ts';
import type { ResolvedModel } from '../../compiler/model.ts';
import { check, modelOf } from './harness.ts';

interface Shape {
  image: number;
  channels: number;
  patch: number;
  d: number;
  depth: number;
  mlp: number;
  classes: number;
  cls: boolean;
}

/** The standard ViT layout: patch embedding with bias, class token, learned posemb over every token, pre-LN blocks, final LN, head. */
function denseParams(s: Shape): number {
  const n = (s.image / s.patch) ** 2 + (s.cls ? 1 : 0);
  const embed = s.patch * s.patch * s.channels * s.d + s.d;
  const block = 2 * s.d + (s.d * 3 * s.d + 3 * s.d) + (s.d * s.d + s.d) + 2 * s.d + mlpParams(s.d, s.mlp);
  return embed + (s.cls ? s.d : 0) + n * s.d + s.depth * block + 2 * s.d + s.d * s.classes + s.classes;
}

function mlpParams(d: number, h: number): number {
  return d * h + h + h * d + d;
}

/** What an MoE layer adds over the dense MLP it replaces. */
function moeExtra(d: number, h: number, experts: number, router: 'sparse' | { slots: number }): number {
  const routerParams = router === 'sparse' ? d * experts : d * experts * router.slots + 1;
  return routerParams + experts * mlpParams(d, h) - mlpParams(d, h);
}

const B16: Shape = { image: 224, channels: 3, patch: 16, d: 768, depth: 12, mlp: 3072, classes: 1000, cls: true };

describe('parameter counts', () => {
  it('ViT-B/16, pool cls, 1000 classes has the published 86,567,656 parameters (formula and graph)', () => {
    expect(denseParams(B16)).toBe(86_567_656);
    const m = modelOf('model m extends vit_b16 { pool: cls }');
    expect(costOf(lowerModel(m)).totalParams).toBe(86_567_656);
  });

  it('every preset matches the formula', () => {
    const p = check('model m extends vit_ti16 { }');
    for (const [name, m] of p.presets) {
      const shape: Shape = { image: 224, channels: 3, patch: m.patch[0], d: m.width, depth: m.depth, mlp: m.mlp, classes: 1000, cls: false };
      expect(costOf(lowerModel(m)).totalParams, name).toBe(denseParams(shape));
    }
    // With a class token the presets have timm's published counts (ViT-B/16: 86,567,656).
    expect(denseParams({ ...B16, patch: 16, cls: true })).toBe(86_567_656);
  });

  const shapes: Array<[string, string, Shape]> = [
    ['mnist', 'image: 28x28x1, patch: 4, width: 64, depth: 4, heads: 4, mlp: 128, classes: 10', { image: 28, channels: 1, patch: 4, d: 64, depth: 4, mlp: 128, classes: 10, cls: false }],
    ['small cls', 'image: 32x32x3, patch: 8, width: 48, depth: 3, heads: 3, mlp: 96, classes: 7, pool: cls', { image: 32, channels: 3, patch: 8, d: 48, depth: 3, mlp: 96, classes: 7, cls: true }],
  ];
  const routers: Array<[string, string, 'sparse' | { slots: number }, number]> = [
    ['softmax token choice', 'token_choice(experts: 4, k: 2)', 'sparse', 4],
    ['sinkhorn token choice', 'token_choice(experts: 4, normalize: sinkhorn)', 'sparse', 4],
    ['softmax expert choice', 'expert_choice(experts: 6)', 'sparse', 6],
    ['sinkhorn expert choice', 'expert_choice(experts: 3, normalize: sinkhorn)', 'sparse', 3],
    ['sparsity expert choice', 'expert_choice(experts: 4, normalize: sparsity)', 'sparse', 4],
    ['soft', 'soft(experts: 5, slots: 2)', { slots: 2 }, 5],
  ];
  for (const [shapeName, fields, shape] of shapes) {
    for (const [routerName, router, kind, experts] of routers) {
      it(`${shapeName} with ${routerName} in 2 blocks matches the formula`, () => {
        const m = modelOf(`model m { ${fields}\n blocks 0, 2: moe(${router}) }`);
        const expected = denseParams(shape) + 2 * moeExtra(shape.d, shape.mlp, experts, kind);
        expect(costOf(lowerModel(m)).totalParams).toBe(expected);
      });
    }
  }
});

describe('active parameters and FLOPs', () => {
  it('counts k experts per token for token choice', () => {
    const m = modelOf('model m { image: 28x28x1, patch: 4, width: 64, depth: 2, heads: 4, mlp: 128, classes: 10\n blocks 1: moe(token_choice(experts: 8, k: 2)) }');
    const c = costOf(lowerModel(m));
    const expertParams = 8 * mlpParams(64, 128);
    expect(c.activeParams).toBe(c.totalParams - expertParams + (expertParams / 8) * 2);
    expect(c.blocks[1]).toMatchObject({ kind: 'moe', router: 'softmax_token_choice', experts: 8 });
  });
  it('counts E·C/S experts per token for expert choice and all experts for soft', () => {
    const ec = modelOf('model m extends vit_ti16 { blocks 0: moe(expert_choice(experts: 128)) }').blocks[0];
    expect(ec.kind === 'moe' && expertsPerToken(ec.router)).toBeCloseTo((128 * 2) / 196, 12);
    const soft = modelOf('model m extends vit_ti16 { blocks 0: moe(soft(experts: 16)) }').blocks[0];
    expect(soft.kind === 'moe' && expertsPerToken(soft.router)).toBe(16);
  });
  it('counts the forward FLOPs of a dense ViT as its matrix products', () => {
    const m: ResolvedModel = modelOf('model m { image: 28x28x1, patch: 4, width: 64, depth: 2, heads: 4, mlp: 128, classes: 10 }');
    const T = 49;
    const d = 64;
    const perBlock = 2 * T * d * 3 * d + 2 * 2 * T * T * d + 2 * T * d * d + 2 * 2 * T * d * 128;
    const outside = 2 * T * 16 * d + 2 * d * 10;
    const c = costOf(lowerModel(m));
    expect(c.blocks[0].flops).toBe(perBlock);
    expect(c.flops).toBe(outside + 2 * perBlock);
  });
  it('sums blocks and the rest into the totals', () => {
    const c = costOf(lowerModel(modelOf('model m extends vit_ti16 { blocks last 2: moe(soft(experts: 8)) }')));
    expect(c.totalParams).toBe(c.outside.params + c.blocks.reduce((a, b) => a + b.params, 0));
    expect(c.flops).toBe(c.outside.flops + c.blocks.reduce((a, b) => a + b.flops, 0));
  });
});

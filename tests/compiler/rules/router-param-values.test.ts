import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('router-param-values', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/router-param-values.moe')).toMatchFileSnapshot('../../fixtures/check/router-param-values.expected');
  });
  it('fills every documented default', () => {
    const m = modelOf('model m extends vit_ti16 { blocks 0: moe(token_choice(experts: 8))\n blocks 1: moe(token_choice(experts: 8, normalize: sinkhorn))\n blocks 2: moe(expert_choice(experts: 8))\n blocks 3: moe(expert_choice(experts: 8, normalize: sparsity))\n blocks 4: moe(soft(experts: 8)) }');
    const r = m.blocks.map((b) => (b.kind === 'moe' ? b.router : undefined));
    expect(r[0]).toEqual({ family: 'token_choice', normalize: 'softmax', experts: 8, k: 1, capacityFactor: 1, rounding: 'ceil', multipleOf: 4, group: 196, capacity: 28, bpr: false, noise: 1, importanceLoss: 0.005, loadLoss: 0.005, iterations: 20, combine: 'softmax' });
    expect(r[1]).toMatchObject({ normalize: 'sinkhorn', importanceLoss: 0, loadLoss: 0 });
    expect(r[2]).toEqual({ family: 'expert_choice', normalize: 'softmax', experts: 8, capacityFactor: 1, rounding: 'round', multipleOf: 1, group: 196, capacity: 24, noise: 1, iterations: 20, combine: 'softmax' });
    expect(r[3]).toMatchObject({ normalize: 'sparsity', noise: 0 });
    expect(r[4]).toMatchObject({ family: 'soft', experts: 8, slots: 1, group: 196, noise: 0 });
  });
});

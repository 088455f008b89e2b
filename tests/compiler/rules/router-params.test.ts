import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('router-params', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/router-params.moe')).toMatchFileSnapshot('../../fixtures/check/router-params.expected');
  });
  it('matches the language.md example: span = the parameter name', () => {
    const d = check('model m extends vit_s16 {\n  blocks last 6: moe(soft(expers: 128))\n}').diagnostics.filter((x) => x.code === 'MOE0231');
    expect(d).toHaveLength(1);
    expect(d[0].message).toBe("router parameter 'expers' is not known for soft");
    expect(d[0].span?.start).toMatchObject({ line: 2, column: 27 });
    expect(d[0].span?.end.column).toBe(33);
    expect(d[0].help).toBe("did you mean 'experts'?");
  });
  it('checks a router that no model uses, once for one that is used', () => {
    expect(codes(check('router r = soft(expers: 4)\nmodel m extends vit_ti16 { }').diagnostics)).toEqual(['MOE0231']);
    expect(codes(check('router r = soft(expers: 4)\nmodel m extends vit_ti16 { blocks 0, 1: moe(r) }').diagnostics)).toEqual(['MOE0231']);
  });
  it('accepts sinkhorn-only parameters with sinkhorn', () => {
    expect(check('model m extends vit_ti16 { blocks 0: moe(token_choice(experts: 4, normalize: sinkhorn, iterations: 10, combine: plan)) }').diagnostics).toEqual([]);
  });
  it('rejects noise for the sparsity normalizer', () => {
    expect(codes(check('model m extends vit_ti16 { blocks 0: moe(expert_choice(experts: 4, normalize: sparsity, noise: 1.0)) }').diagnostics)).toEqual(['MOE0232']);
  });
});

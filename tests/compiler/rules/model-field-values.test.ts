import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('model-field-values', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/model-field-values.moe')).toMatchFileSnapshot('../../fixtures/check/model-field-values.expected');
  });
  it('evaluates late-bound arithmetic exactly', () => {
    const m = modelOf('model m extends vit_ti16 { width: 96\n  mlp: (width * 8) / 2 - width % 7 }');
    expect(m.mlp).toBe(96 * 4 - (96 % 7));
  });
  it('reports an inexact integer division at the division', () => {
    const d = check('model m extends vit_ti16 { mlp: 100 / 3 }').diagnostics;
    expect(codes(d)).toEqual(['MOE0304']);
    expect(d[0].span?.start.column).toBe(33);
  });
  it('allows a non-integer division in a float field', () => {
    expect(modelOf('model m extends vit_ti16 { dropout: 1 / 10 }').dropout).toBeCloseTo(0.1, 12);
  });
  it('rejects out-of-range values', () => {
    expect(codes(check('model m extends vit_ti16 { classes: 1 }').diagnostics)).toEqual(['MOE0302']);
    expect(codes(check('model m extends vit_ti16 { dropout: 1.0 }').diagnostics)).toEqual(['MOE0302']);
  });
  it('suggests an enum value', () => {
    const d = check('model m extends vit_ti16 { posemb: sincos }').diagnostics;
    expect(codes(d)).toEqual(['MOE0316']);
    expect(d[0].help).toBe("did you mean 'sincos2d'?");
  });
});

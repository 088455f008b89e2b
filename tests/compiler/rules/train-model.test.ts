import { describe, expect, it } from 'vitest';
import { check, codes, renderFixture } from '../harness.ts';

describe('train-model', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/train-model.moe')).toMatchFileSnapshot('../../fixtures/check/train-model.expected');
  });
  it('may train a preset, which then joins the program models', () => {
    const p = check('train t { model: vit_ti16\n steps: 1 }');
    expect(codes(p.diagnostics)).toEqual([]);
    expect(p.trains.get('t')!.model).toBe('vit_ti16');
    expect(p.models.has('vit_ti16')).toBe(true);
    expect(p.models.has('vit_b16')).toBe(false);
  });
});

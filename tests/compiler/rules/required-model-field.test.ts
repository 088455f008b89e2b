import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('required-model-field', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/required-model-field.moe')).toMatchFileSnapshot('../../fixtures/check/required-model-field.expected');
  });
  it('names every missing field', () => {
    const d = check('model m { image: 8x8x1, patch: 4 }').diagnostics;
    expect(codes(d)).toEqual(['MOE0303']);
    for (const f of ['width', 'depth', 'heads', 'mlp', 'classes']) expect(d[0].message).toContain(f);
  });
  it('is satisfied by inherited fields', () => {
    expect(check('model m extends vit_ti16 { }').diagnostics).toEqual([]);
  });
});

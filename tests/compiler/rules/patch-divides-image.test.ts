import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('patch-divides-image', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/patch-divides-image.moe')).toMatchFileSnapshot('../../fixtures/check/patch-divides-image.expected');
  });
  it('accepts rectangular patches that divide', () => {
    const m = modelOf('model m extends vit_ti16 { image: 28x32x1\n patch: 7x8 }');
    expect(m.patch).toEqual([7, 8]);
    expect(m.tokens).toBe(16);
  });
  it('rejects a patch width that does not divide', () => {
    expect(codes(check('model m extends vit_ti16 { image: 28x30x1\n patch: 7x8 }').diagnostics)).toEqual(['MOE0305']);
  });
});

import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('unknown-model-field', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/unknown-model-field.moe')).toMatchFileSnapshot('../../fixtures/check/unknown-model-field.expected');
  });
  it('suggests the closest field and spans the name', () => {
    const d = check('model m extends vit_ti16 {\n  widht: 128\n}\n').diagnostics;
    expect(codes(d)).toEqual(['MOE0234']);
    expect(d[0].help).toBe("did you mean 'width'?");
    expect(d[0].span?.start).toMatchObject({ line: 2, column: 3 });
    expect(d[0].suggestion?.replacement).toBe('width');
  });
  it('accepts every documented field', () => {
    expect(check('model m { image: 8x8x1, patch: 4, width: 8, depth: 1, heads: 2, mlp: 16, classes: 2, pool: cls, dropout: 0.1, posemb: sincos2d }').diagnostics).toEqual([]);
  });
});

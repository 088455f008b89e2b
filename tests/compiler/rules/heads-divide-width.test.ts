import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('heads-divide-width', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/heads-divide-width.moe')).toMatchFileSnapshot('../../fixtures/check/heads-divide-width.expected');
  });
  it('points at the field the model wrote when the other is inherited', () => {
    const d = check('model m extends vit_ti16 {\n  width: 200\n}').diagnostics;
    expect(codes(d)).toEqual(['MOE0306']);
    expect(d[0].span?.file).toBe('main.moe');
    expect(d[0].notes?.[0].span?.file).toBe('moec/specs/presets.moe');
  });
});

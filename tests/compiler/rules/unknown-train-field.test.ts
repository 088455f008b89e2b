import { describe, expect, it } from 'vitest';
import { check, codes, renderFixture } from '../harness.ts';

describe('unknown-train-field', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/unknown-train-field.moe')).toMatchFileSnapshot('../../fixtures/check/unknown-train-field.expected');
  });
  it('suggests the closest train field', () => {
    const d = check('model m extends vit_ti16 { }\ntrain t { sead: 1 }').diagnostics;
    expect(codes(d)).toEqual(['MOE0235']);
    expect(d[0].help).toBe("did you mean 'seed'?");
  });
});

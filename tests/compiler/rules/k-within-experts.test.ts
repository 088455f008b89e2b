import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('k-within-experts', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/k-within-experts.moe')).toMatchFileSnapshot('../../fixtures/check/k-within-experts.expected');
  });
  it('accepts k = experts', () => {
    expect(check('model m extends vit_ti16 { blocks 0: moe(token_choice(experts: 2, k: 2)) }').diagnostics).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('sparsity-normalize', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/sparsity-normalize.moe')).toMatchFileSnapshot('../../fixtures/check/sparsity-normalize.expected');
  });
  it('accepts sparsity for expert choice', () => {
    expect(check('model m extends vit_ti16 { blocks 0: moe(expert_choice(experts: 4, normalize: sparsity)) }').diagnostics).toEqual([]);
  });
});

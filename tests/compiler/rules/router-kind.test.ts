import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('router-kind', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/router-kind.moe')).toMatchFileSnapshot('../../fixtures/check/router-kind.expected');
  });
  it('suggests the closest kind', () => {
    const d = check('model m extends vit_ti16 { blocks 0: moe(expert_choise(experts: 4)) }').diagnostics;
    expect(codes(d)).toEqual(['MOE0233']);
    expect(d[0].suggestion?.replacement).toBe('expert_choice');
  });
});

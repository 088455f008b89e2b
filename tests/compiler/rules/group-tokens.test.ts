import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('group-tokens', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/group-tokens.moe')).toMatchFileSnapshot('../../fixtures/check/group-tokens.expected');
  });
  it('uses the group for capacity', () => {
    const b = modelOf('model m extends vit_ti16 { blocks 0: moe(expert_choice(experts: 4, group: 392)) }').blocks[0];
    expect(b.kind === 'moe' && b.router.family === 'expert_choice' && [b.router.group, b.router.capacity]).toEqual([392, 98]);
  });
});

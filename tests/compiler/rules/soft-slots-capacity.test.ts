import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('soft-slots-capacity', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/soft-slots-capacity.moe')).toMatchFileSnapshot('../../fixtures/check/soft-slots-capacity.expected');
  });
  it('uses slots when both are given', () => {
    const p = check('model m extends vit_ti16 { blocks 0: moe(soft(experts: 4, capacity: 2.0, slots: 3)) }');
    expect(codes(p.diagnostics)).toEqual(['MOE0319']);
    const b = p.models.get('m')!.blocks[0];
    expect(b.kind === 'moe' && b.router.family === 'soft' && b.router.slots).toBe(3);
  });
});

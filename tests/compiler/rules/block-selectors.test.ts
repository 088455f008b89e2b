import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('block-selectors', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/block-selectors.moe')).toMatchFileSnapshot('../../fixtures/check/block-selectors.expected');
  });
  it('follows the documented selector semantics at depth 12', () => {
    const at = (sel: string) =>
      modelOf(`model m extends vit_ti16 { blocks ${sel}: moe(soft(experts: 2)) }`).blocks.flatMap((b, i) => (b.kind === 'moe' ? [i] : []));
    expect(at('all')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(at('first 4')).toEqual([0, 1, 2, 3]);
    expect(at('last 6')).toEqual([6, 7, 8, 9, 10, 11]);
    expect(at('every 2')).toEqual([1, 3, 5, 7, 9, 11]);
    expect(at('every 3 from 0')).toEqual([0, 3, 6, 9]);
    expect(at('2..5')).toEqual([2, 3, 4, 5]);
    expect(at('9, 11')).toEqual([9, 11]);
    expect(at('0..2, 7')).toEqual([0, 1, 2, 7]);
  });
  it('rejects an index past the last block', () => {
    expect(codes(check('model m extends vit_ti16 { blocks 12: dense }').diagnostics)).toEqual(['MOE0307']);
  });
});

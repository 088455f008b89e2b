import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('moe-arguments', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/moe-arguments.moe')).toMatchFileSnapshot('../../fixtures/check/moe-arguments.expected');
  });
  it('uses mlp as the experts hidden size, default the model mlp', () => {
    const m = modelOf('model m extends vit_ti16 { blocks 0: moe(soft(experts: 4), mlp: 2 * width)\n blocks 1: moe(soft(experts: 4)) }');
    expect(m.blocks[0]).toMatchObject({ kind: 'moe', mlp: 384 });
    expect(m.blocks[1]).toMatchObject({ kind: 'moe', mlp: 768 });
  });
});

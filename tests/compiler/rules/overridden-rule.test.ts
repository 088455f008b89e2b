import { describe, expect, it } from 'vitest';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('overridden-rule', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/overridden-rule.moe')).toMatchFileSnapshot('../../fixtures/check/overridden-rule.expected');
  });
  it('does not warn about a partly overridden rule', () => {
    expect(check('model m extends vit_ti16 {\n blocks all: dense\n blocks last 6: moe(soft(experts: 4)) }').diagnostics).toEqual([]);
  });
  it('does not warn when a child overrides its base rules', () => {
    const p = check('model a extends vit_ti16 { blocks last 2: moe(soft(experts: 4)) }\nmodel b extends a { blocks all: dense }');
    expect(p.diagnostics).toEqual([]);
    expect(p.models.get('b')!.blocks.every((b) => b.kind === 'dense')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { check, codes, renderFixture } from '../harness.ts';

describe('steps-epochs', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/steps-epochs.moe')).toMatchFileSnapshot('../../fixtures/check/steps-epochs.expected');
  });
  it('lets --set steps replace the file epochs', () => {
    const p = check('model m extends vit_ti16 { }\ntrain t { epochs: 3 }', ['steps=50']);
    expect(codes(p.diagnostics)).toEqual([]);
    expect(p.trains.get('t')).toMatchObject({ steps: 50 });
    expect(p.trains.get('t')!.epochs).toBeUndefined();
  });
});

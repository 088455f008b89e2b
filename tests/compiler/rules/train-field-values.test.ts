import { describe, expect, it } from 'vitest';
import { check, codes, renderFixture } from '../harness.ts';

describe('train-field-values', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/train-field-values.moe')).toMatchFileSnapshot('../../fixtures/check/train-field-values.expected');
  });
  it('fills the documented defaults', () => {
    const p = check('model m extends vit_ti16 { }\ntrain t { }');
    expect(p.diagnostics).toEqual([]);
    expect(p.trains.get('t')).toEqual({
      name: 't',
      model: 'm',
      data: { kind: 'mnist', args: { train: 8000, test: 2000 } },
      batch: 64,
      epochs: 1,
      optimizer: { kind: 'adamw', lr: 1e-3, weightDecay: 1e-4, b1: 0.9, b2: 0.999, clip: 1 },
      schedule: { kind: 'cosine', warmup: 0 },
      loss: 'softmax_xent',
      seed: 0,
    });
  });
  it('reads every call form', () => {
    const p = check('model m extends vit_ti16 { }\ntrain t { data: fashion_mnist(train: 100)\n optimizer: sgd(lr: 0.1)\n schedule: constant\n steps: 10\n eval_every: 5 }');
    expect(p.diagnostics).toEqual([]);
    expect(p.trains.get('t')).toMatchObject({
      data: { kind: 'fashion_mnist', args: { train: 100, test: 2000 } },
      optimizer: { kind: 'sgd', lr: 0.1 },
      schedule: { kind: 'constant' },
      steps: 10,
      evalEvery: 5,
    });
    expect(p.trains.get('t')!.epochs).toBeUndefined();
  });
  it('rejects an unknown data set with a suggestion', () => {
    expect(codes(check('model m extends vit_ti16 { }\ntrain t { data: cifar100(dir: "x") }').diagnostics)).toEqual(['MOE0236']);
  });
});

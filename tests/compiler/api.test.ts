// The public API: --set overrides, model/train selection, the printed resolved spec.
import { describe, expect, it } from 'vitest';
import { printResolvedSpec, selectModel, selectTrain } from '../../compiler/index.ts';
import type { ResolvedModel } from '../../compiler/model.ts';
import { check, codes, programOf } from './harness.ts';

const MNIST = `
model mnist_soft {
  image:   28x28x1
  patch:   4
  width:   64
  depth:   6
  heads:   4
  mlp:     2 * width
  classes: 10
  pool:    gap

  blocks all:    dense
  blocks last 3: moe(soft(experts: 8, slots: 2))
}

train quick {
  model:      mnist_soft
  data:       mnist(train: 8000, test: 2000)
  batch:      64
  epochs:     5
  optimizer:  adamw(lr: 1e-3, weight_decay: 1e-4)
  schedule:   cosine(warmup: 100)
  eval_every: 200
  seed:       0
}
`;

describe('--set overrides', () => {
  it('overrides model and train fields, late-bound (mlp follows width)', () => {
    const p = check(MNIST, ['width=128', 'batch=32', 'optimizer=adamw(lr: 3e-4)']);
    expect(p.diagnostics).toEqual([]);
    expect(p.models.get('mnist_soft')).toMatchObject({ width: 128, mlp: 256 });
    expect(p.trains.get('quick')).toMatchObject({ batch: 32, optimizer: { kind: 'adamw', lr: 3e-4, weightDecay: 1e-4 } });
  });
  it('sets router.PARAM on the router of every MoE block', () => {
    const p = check(MNIST, ['router.experts=16']);
    const moe = p.models.get('mnist_soft')!.blocks.filter((b) => b.kind === 'moe');
    expect(moe).toHaveLength(3);
    for (const b of moe) expect(b.kind === 'moe' && b.router.experts).toBe(16);
  });
  it('checks overridden values like the file, pointing into <--set>', () => {
    const p = check(MNIST, ['heads=5', 'router.slots=0']);
    expect(codes(p.diagnostics)).toEqual(['MOE0306', 'MOE0302']);
    expect(p.diagnostics[0].span).toMatchObject({ file: '<--set>', start: { line: 1, column: 7 } });
    expect(p.diagnostics[1].span).toMatchObject({ file: '<--set>', start: { line: 2, column: 14 } });
    expect(p.sources.get('<--set>')).toBe('heads=5\nrouter.slots=0');
  });
  it('suggests a field for an unknown name', () => {
    const p = check(MNIST, ['widht=3']);
    expect(codes(p.diagnostics)).toEqual(['MOE0212']);
    expect(p.diagnostics[0].help).toBe("did you mean 'width'?");
  });
  it('applies to the model a train block names when the file declares none', () => {
    const p = check('train t { model: vit_ti16 }', ['width=96', 'router.experts=4']);
    expect(p.models.get('vit_ti16')!.width).toBe(96);
    expect(codes(p.diagnostics)).toEqual(['MOE0237']);
  });
  it('applies only to the model named by --model', () => {
    const p = programOf({ 'main.moe': 'model a extends vit_ti16 { }\nmodel b extends vit_ti16 { }' }, 'main.moe', ['classes=10'], 'b');
    expect(p.models.get('a')!.classes).toBe(1000);
    expect(p.models.get('b')!.classes).toBe(10);
  });
});

describe('selectModel / selectTrain', () => {
  it('picks the only model and the only train block', () => {
    const p = check(MNIST);
    expect(selectModel(p).value?.name).toBe('mnist_soft');
    expect(selectTrain(p).value?.name).toBe('quick');
  });
  it('asks for --model when there are several', () => {
    const s = selectModel(check('model a extends vit_ti16 { }\nmodel b extends vit_ti16 { }'));
    expect(s.value).toBeUndefined();
    expect(codes(s.diagnostics)).toEqual(['MOE0211']);
    expect(s.diagnostics[0].help).toBe('choose one with --model a');
  });
  it('finds a preset by name', () => {
    expect(selectModel(check('model a extends vit_ti16 { }'), 'vit_h14').value?.width).toBe(1280);
  });
  it('uses the train block model in a file with no model', () => {
    expect(selectModel(check('train t { model: vit_s32 }')).value?.name).toBe('vit_s32');
  });
  it('reports an unknown train block', () => {
    expect(codes(selectTrain(check(MNIST), 'quik').diagnostics)).toEqual(['MOE0211']);
  });
});

describe('printResolvedSpec', () => {
  const roundTrip = (m: ResolvedModel): ResolvedModel => {
    const text = printResolvedSpec(m);
    const p = check(text);
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return p.models.get(m.name)!;
  };
  const strip = (m: ResolvedModel) => ({ ...m, source: undefined });
  it('writes every default and checks back to the same model', () => {
    const p = check(MNIST);
    const m = p.models.get('mnist_soft')!;
    const text = printResolvedSpec(m, p.trains.get('quick'));
    expect(text).toContain('moe(soft(experts: 8, slots: 2, rounding: round, group: 49, noise: 0.0), mlp: 128)');
    expect(text).toContain('optimizer:  adamw(lr: 0.001, weight_decay: 0.0001, b1: 0.9, b2: 0.999, clip: 1.0)');
    const again = check(text);
    expect(again.diagnostics).toEqual([]);
    expect(strip(again.models.get('mnist_soft')!)).toEqual(strip(m));
    expect(again.trains.get('quick')).toEqual(p.trains.get('quick'));
  });
  it('round-trips every router family and named routers', () => {
    const p = check(`
router tc = token_choice(experts: 8, k: 2, capacity: 1.05, normalize: sinkhorn, combine: plan, bpr: true)
model m extends vit_ti16 {
  pool: cls
  posemb: sincos2d
  dropout: 0.1
  blocks every 2: moe(tc)
  blocks 0: moe(expert_choice(experts: 4, normalize: sparsity, iterations: 7), mlp: 64)
  blocks 2..4: moe(soft(experts: 16, capacity: 2.0))
  blocks 6: moe(expert_choice(experts: 4, capacity: 0.5, multiple_of: 2, rounding: ceil, group: 394))
}`);
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const m = p.models.get('m')!;
    expect(strip(roundTrip(m))).toEqual(strip(m));
  });
});

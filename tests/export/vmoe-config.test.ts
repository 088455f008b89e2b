// The exported Python config: every resolved parameter, integers as integers,
// routers outside vmoe.nn.routing fully qualified, explicit layers and num_slots,
// the .npz found relative to the config file; and a located refusal for each model
// vmoe cannot express.
import { describe, expect, it } from 'vitest';
import { modelOf } from '../compiler/harness.ts';
import { pyLiteral, int, vmoeConfigPython, vmoeProblems, vmoeRouterName } from '../../export/vmoe/config.ts';
import { assertVmoeExpressible } from '../../export/vmoe/target.ts';
import { codedMessage } from '../support/fault.ts';
import { specText } from './vmoe-support.ts';

/** The config text with wrapped comment lines joined (so a note reads as one line). */
const config = (body: string, params?: string) =>
  vmoeConfigPython(modelOf(specText('m', body)), { moecVersion: 'test', ...(params ? { params } : {}) }).replace(/\n# {3}/g, ' ');

describe('vmoe config', () => {
  it('writes Python literals: ints as ints, floats with a point, one-element tuples', () => {
    expect(pyLiteral({ a: int(8), b: 1, c: 1.05, d: [int(3)], e: [], f: null, g: true, h: "it's" })).toBe(
      "{\n    'a': 8,\n    'b': 1.0,\n    'c': 1.05,\n    'd': (3,),\n    'e': (),\n    'f': None,\n    'g': True,\n    'h': 'it\\'s',\n}",
    );
  });

  it('writes the V-MoE token-choice router with every resolved parameter', () => {
    const py = config('pool: cls\n  blocks all: dense\n  blocks every 2: moe(token_choice(normalize: softmax, experts: 4, k: 2, capacity: 1.05, bpr: true, importance_loss: 0.005, load_loss: 0.005))');
    for (const line of [
      "'classifier': 'token',",
      "'patch_size': (7, 7),",
      "'layers': (1,),",
      "'num_experts': 4,",
      "'group_size': 17,",
      "'name': 'NoisyTopExpertsPerItemRouter',",
      "'num_selected_experts': 2,",
      "'importance_loss_weight': 0.005,",
      "'load_loss_weight': 0.005,",
      "'gshard_loss_weight': 0.0,",
      "'noise_std': 1.0,",
      "'bfloat16': False,",
      "'capacity_factor': 1.05,",
      "'capacity_ceil_or_round': 'ceil',",
      "'capacity_multiple_of': 4,",
      "'batch_priority': True,",
      "'split_rngs': False,",
    ])
      expect(py).toContain(line);
    expect(py).toMatch(/# Capacity: .* resolves to 12 slots per expert at group_size 17/);
    expect(py).toMatch(/# bfloat16 dispatch is off .* a near-tied routing decision can flip/);
  });

  it('names routers outside vmoe.nn.routing in full', () => {
    const names = [
      'token_choice(normalize: softmax, experts: 4)',
      'token_choice(normalize: sinkhorn, experts: 4)',
      'expert_choice(normalize: softmax, experts: 4)',
      'expert_choice(normalize: sinkhorn, experts: 4)',
      'expert_choice(normalize: sparsity, experts: 4)',
      'soft(experts: 4, slots: 1)',
    ].map((r) => {
      const layer = modelOf(specText('m', `pool: gap\n  blocks all: dense\n  blocks last 1: moe(${r})`)).blocks[2]!;
      return layer.kind === 'moe' ? vmoeRouterName(layer.router) : '';
    });
    expect(names).toEqual([
      'NoisyTopExpertsPerItemRouter',
      'vmoe.projects.sparsity_constrained_ot.kl_projection_routing.KLProjectionNoisyTopExpertsPerItemRouter',
      'NoisyTopItemsPerExpertRouter',
      'vmoe.projects.sparsity_constrained_ot.kl_projection_routing.KLProjectionNoisyTopItemsPerExpertRouter',
      'vmoe.projects.sparsity_constrained_ot.ksparse_projection_routing.KSparseProjectionTransportTopItemsPerExpertRouter',
      'vmoe.projects.soft_moe.router.SoftRouter',
    ]);
  });

  it("writes Soft MoE's num_slots explicitly (17 tokens at capacity 1.5, ceil: 7, where vmoe's rounding would give 6)", () => {
    const py = config('pool: cls\n  blocks all: dense\n  blocks last 1: moe(soft(experts: 4, capacity: 1.5, rounding: ceil))');
    expect(py).toContain("'num_slots': 7,");
    expect(py).toContain("'capacity_factor': None,");
    expect(py).toMatch(/SoftRouter always dispatches and combines in bfloat16/);
  });

  it('notes the sparsity-constrained float32 solve, Sinkhorn iterations and dropout placement', () => {
    expect(config('pool: gap\n  blocks all: dense\n  blocks last 1: moe(expert_choice(normalize: sparsity, experts: 4, iterations: 30))')).toMatch(/vmoe solves in float32 \(moec in float64\)[\s\S]*'maxiter': 30,[\s\S]*'adam_lr': 0.01,/);
    const py = config('pool: gap\n  dropout: 0.1\n  blocks all: dense\n  blocks last 1: moe(token_choice(normalize: sinkhorn, experts: 4, iterations: 20, combine: plan))');
    expect(py).toContain("'maxiter': 20,");
    expect(py).toContain("'use_softmax_combine_weights': False,");
    expect(py).toContain("'dropout_rate': 0.1,");
    expect(py).toMatch(/# Dropout 0.1: in MoE blocks vmoe drops inside each expert/);
  });

  it('finds the .npz next to the config file, not in the working directory', () => {
    const py = config('pool: gap\n  blocks all: dense', 'params.npz');
    expect(py).toContain("PARAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'params.npz')");
    expect(py).toContain("'name': 'initialize_from_vit',");
    expect(py).toContain("'filepath': PARAMS,");
    expect(py).toContain("'layers': (),");
    expect(config('pool: gap\n  blocks all: dense')).not.toContain('initialization');
  });

  it('refuses MoE blocks with different router settings, located by block and field', () => {
    const m = modelOf(specText('m', 'pool: gap\n  blocks all: dense\n  blocks 1: moe(token_choice(experts: 4, k: 1))\n  blocks 2: moe(token_choice(experts: 4, k: 2))'));
    expect(vmoeProblems(m)).toEqual([
      { code: 'MOE0640', block: 2, field: 'router.k', message: expect.stringMatching(/block 2: router k is 2, but block 1 has 1/) },
      ...vmoeProblems(m).slice(1),
    ]);
    expect(codedMessage(() => assertVmoeExpressible(m))).toMatch(/MOE0640: vmoe cannot express model m:\n  main\.moe:1: model m, block 2, field router\.k/);
  });

  it('refuses Sinkhorn iterations that are not a multiple of 10 (the default 20 is fine)', () => {
    const bad = modelOf(specText('m', 'pool: gap\n  blocks all: dense\n  blocks last 1: moe(expert_choice(normalize: sinkhorn, experts: 4, iterations: 25))'));
    expect(vmoeProblems(bad)).toEqual([{ code: 'MOE0641', block: 2, field: 'router.iterations', message: expect.stringMatching(/25 Sinkhorn iterations.*would run 20/) }]);
    expect(codedMessage(() => assertVmoeExpressible(bad))).toMatch(/MOE0641[\s\S]*block 2, field router\.iterations/);
    expect(vmoeProblems(modelOf(specText('m', 'pool: gap\n  blocks all: dense\n  blocks last 1: moe(token_choice(normalize: sinkhorn, experts: 4))')))).toEqual([]);
    // The sparse-OT solver's iterations are a plain step limit in vmoe too.
    expect(vmoeProblems(modelOf(specText('m', 'pool: gap\n  blocks all: dense\n  blocks last 1: moe(expert_choice(normalize: sparsity, experts: 4, iterations: 7))')))).toEqual([]);
  });
});

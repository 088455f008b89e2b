// Backend profiles (runtime/backends/): every op has a definition and a kernel in
// every profile's bound table; kernel choices are profile data, not backend-name
// checks inside kernels; a model binds its profile's kernels when it is created.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPS, OP_KINDS } from '../../compiler/graph/ops.ts';
import { AUTO_ORDER, BACKEND_PROFILES, activeProfile, kernelsFor, profileNamed } from '../../runtime/backends/index.ts';
import { BASE_KERNELS, SOURCE_OPS } from '../../runtime/kernels/index.ts';
import { hostSolverKernels } from '../../runtime/kernels/solvers.ts';
import { BACKEND_NAMES, selectBackend } from '../../runtime/backend.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import { vitModel } from './models.ts';

describe('op and kernel completeness', () => {
  it('every op kind has a definition with an inference rule and a gradient class', () => {
    for (const op of OP_KINDS) {
      expect(OPS[op].infer, op).toBeTypeOf('function');
      expect(['auto', 'none'], op).toContain(OPS[op].grad);
    }
  });

  it.each(BACKEND_PROFILES.map((p) => p.name))('the %s profile binds a kernel for every op but the sources', (name) => {
    const kernels = kernelsFor(profileNamed(name)!);
    for (const op of OP_KINDS) {
      if (SOURCE_OPS.has(op)) expect(kernels.has(op), op).toBe(false);
      else expect(kernels.get(op), op).toBeTypeOf('function');
    }
    // A profile only overrides ops that exist.
    for (const op of Object.keys(profileNamed(name)!.kernels)) expect(OP_KINDS, `${name} overrides ${op}`).toContain(op);
  });

  it('no kernel decides by backend name', () => {
    const dir = 'runtime/kernels';
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      expect(fs.readFileSync(path.join(dir, file), 'utf8'), file).not.toMatch(/getBackend\(\)/);
    }
  });
});

describe('profiles', () => {
  it('name every backend the CLI offers, and auto tries the fastest first, never webgpu', () => {
    expect(BACKEND_NAMES).toEqual(['auto', ...BACKEND_PROFILES.map((p) => p.name)]);
    expect(AUTO_ORDER.map((p) => p.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  });

  it('say which can read synchronously and where the OT solvers run', () => {
    const host = (name: string) => profileNamed(name)!.kernels.sinkhorn_plan === hostSolverKernels.sinkhorn_plan;
    expect(['cpu', 'wasm', 'tensorflow'].every(host)).toBe(true);
    // webgpu cannot read synchronously; a CUDA read is a device→host copy: both keep the solvers on the device.
    expect(host('webgpu') || host('tensorflow-gpu')).toBe(false);
    expect(profileNamed('webgpu')!.readsSync).toBe(false);
    expect(BACKEND_PROFILES.filter((p) => p.name !== 'webgpu').every((p) => p.readsSync)).toBe(true);
  });
});

describe('binding at model creation (cpu)', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  afterAll(async () => {
    await selectBackend('cpu');
  });

  it('follows the active backend, also when tfjs is switched directly', async () => {
    await selectBackend('wasm');
    expect(activeProfile().name).toBe('wasm');
    expect(activeProfile().heapBytes?.()).toBeGreaterThan(0); // wasm's linear memory
    await tf.setBackend('cpu');
    expect(activeProfile().name).toBe('cpu');
    expect(activeProfile().heapBytes).toBeUndefined();
  });

  it('runs a Sinkhorn router with the device solvers of tensorflow-gpu like with the host solvers, within float32 tolerance', () => {
    const router = { family: 'expert_choice', normalize: 'sinkhorn', experts: 4, capacityFactor: 1, rounding: 'ceil', multipleOf: 1, group: 4, capacity: 1, noise: 0, iterations: 10, combine: 'softmax' } as const;
    const graph = lowerModel(vitModel({ depth: 1, blocks: [{ kind: 'moe', mlp: 8, router }] }));
    const host = createGraphModel(graph, { seed: 2 });
    const device = createGraphModel(graph, { seed: 2, backend: 'tensorflow-gpu' });
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const run = (m: typeof host) => {
      const r = m.forward(x, { training: false, step: 0, outputs: ['block_0/probe/plan'] });
      const values = { logits: Array.from(r.logits.dataSync()), plan: Array.from(r.outputs.get('block_0/probe/plan')!.dataSync()) };
      tf.dispose([r.logits, r.auxLoss, ...r.stats.values(), ...r.outputs.values()]);
      return values;
    };
    const a = run(host);
    const b = run(device);
    a.plan.forEach((v, i) => expect(Math.abs(v - b.plan[i]!)).toBeLessThan(1e-5));
    a.logits.forEach((v, i) => expect(Math.abs(v - b.logits[i]!)).toBeLessThan(1e-4));
    expect(() => createGraphModel(graph, { seed: 2, backend: 'tpu' })).toThrow(/no backend profile 'tpu'/);
    tf.dispose(x);
    host.dispose();
    device.dispose();
  });

  it('the base table is what a profile without overrides binds', () => {
    expect(kernelsFor(profileNamed('webgpu')!).get('matmul')).toBe(BASE_KERNELS.matmul);
  });
});

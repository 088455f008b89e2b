// Shared pieces of the router tests: load a reference case, turn its params into
// a MoeBlockLayer, build and bind the one-layer graph, assign the case's weights,
// feed its fixed noise, and compare nested arrays with tolerances.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Graph, OpNode, ParamSpec } from '../../compiler/graph/ir.ts';
import type { MoeBlockLayer, RouterConfig } from '../../compiler/model.ts';
import { bindMoeLayer, buildMoeLayerGraph, type MoeLayer, type MoeLayerGraph } from '../../runtime/moe-layer.ts';

export const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface RouterCase {
  readonly name: string;
  readonly router: string;
  readonly params: Record<string, any>;
  readonly inputs: Record<string, any>;
  readonly expected: Record<string, any>;
}

export function loadCases(dir: 'router-cases' | 'router-own'): RouterCase[] {
  const folder = path.join(FIXTURES, dir);
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(folder, f), 'utf8')) as RouterCase);
}

export function flat(value: unknown): number[] {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  return Array.isArray(value) ? value.flatMap(flat) : [Number(value)];
}

/** Throws with the first offending index when |a − e| > atol + rtol·|e| (or lengths differ). */
export function expectClose(actual: ArrayLike<number>, expected: unknown, what: string, atol: number, rtol = 0): void {
  const e = flat(expected);
  if (actual.length !== e.length) throw new Error(`${what}: ${actual.length} values, expected ${e.length}`);
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    const diff = Math.abs(actual[i] - e[i]);
    if (!(diff <= atol + rtol * Math.abs(e[i]))) {
      throw new Error(`${what}[${i}] = ${actual[i]}, expected ${e[i]} (|diff| ${diff} > ${atol} + ${rtol}·|e|)`);
    }
    worst = Math.max(worst, diff);
  }
}

/** The MoE layer a reference case describes (its params use the case format's names). */
export function layerFromCase(c: RouterCase): MoeBlockLayer {
  const p = c.params;
  const common = {
    experts: p.num_experts as number,
    capacityFactor: (p.capacity_factor ?? 1) as number,
    rounding: (p.capacity_ceil_or_round ?? 'ceil') as 'ceil' | 'round',
    group: p.group_size as number,
  };
  let router: RouterConfig;
  switch (c.router) {
    case 'softmax_token_choice':
    case 'sinkhorn_token_choice':
      router = {
        family: 'token_choice',
        normalize: c.router === 'softmax_token_choice' ? 'softmax' : 'sinkhorn',
        ...common,
        multipleOf: p.capacity_multiple_of ?? 4,
        k: p.k,
        capacity: p.resolved_capacity,
        bpr: p.batch_priority ?? false,
        noise: p.noise_std ?? 0,
        importanceLoss: p.importance_loss_weight ?? 0,
        loadLoss: p.load_loss_weight ?? 0,
        iterations: p.sinkhorn_iters ?? 20,
        combine: p.combine ?? 'softmax',
      };
      break;
    case 'softmax_expert_choice':
    case 'sinkhorn_expert_choice':
    case 'sparsity_constrained_expert_choice':
      router = {
        family: 'expert_choice',
        normalize: c.router === 'softmax_expert_choice' ? 'softmax' : c.router === 'sinkhorn_expert_choice' ? 'sinkhorn' : 'sparsity',
        ...common,
        multipleOf: p.capacity_multiple_of ?? 4,
        capacity: p.resolved_capacity,
        noise: p.noise_std ?? 0,
        iterations: p.sinkhorn_iters ?? p.sparse_ot_maxiter ?? 20,
        combine: p.combine ?? 'softmax',
      };
      break;
    case 'soft_moe':
      router = { family: 'soft', ...common, slots: p.num_slots, noise: p.noise_std ?? 0 };
      break;
    case 'dense':
      // The dense MLP is the degenerate Expert Choice layer with one expert taking
      // every token (combine weight softmax over one expert = 1).
      router = {
        family: 'expert_choice', normalize: 'softmax', experts: 1, capacityFactor: 1, rounding: 'ceil', multipleOf: 1,
        group: p.tokens_per_image, capacity: p.tokens_per_image, noise: 0, iterations: 20, combine: 'softmax',
      };
      break;
    default:
      throw new Error(`case ${c.name}: unknown router ${c.router}`);
  }
  return { kind: 'moe', mlp: p.mlp_dim, router };
}

const NOISE_PARAM = 'test/fixed_noise';

/**
 * Test-only rewrite: the router's `add_noise` node becomes `logits + noise`
 * with the noise a parameter (fed from the case), so training-mode routing is
 * reproducible against the reference.
 */
function withFixedNoise(graph: Graph, noiseNode: string, shape: number[]): Graph {
  const nodes: OpNode[] = [];
  const param: ParamSpec = { name: NOISE_PARAM, shape, init: { kind: 'zeros' }, decay: false, trainable: false };
  for (const node of graph.nodes) {
    if (node.id !== noiseNode) {
      nodes.push(node);
      continue;
    }
    nodes.push({ id: `${node.id}/fixed`, op: 'param', inputs: [], attrs: { name: NOISE_PARAM }, shape, dtype: 'float32', scope: node.scope, flops: 0 });
    nodes.push({ ...node, op: 'add', inputs: [node.inputs[0], `${node.id}/fixed`], attrs: {} });
  }
  return { ...graph, params: [...graph.params, param], nodes };
}

export interface BoundCase {
  readonly layer: MoeLayer;
  readonly built: MoeLayerGraph;
  readonly x: tf.Tensor3D;
  /** Whether the case runs in training mode (it carries fixed noise). */
  readonly training: boolean;
}

/** Builds the case's layer, assigns its weights (and noise) and returns it with its input. */
export function bindCase(c: RouterCase, seed = 0): BoundCase {
  const layerConfig = layerFromCase(c);
  const p = c.params;
  const built0 = buildMoeLayerGraph(layerConfig, { width: p.dim, tokensPerImage: p.tokens_per_image, geluApproximate: p.gelu_approximate ?? true });
  const noise = c.inputs.noise as number[][][] | undefined;
  const built = noise
    ? { ...built0, graph: withFixedNoise(built0.graph, built0.nodes.logits_noisy, [noise.length, noise[0].length, noise[0][0].length]) }
    : built0;
  if (noise && !built0.nodes.logits_noisy) throw new Error(`case ${c.name} has noise but the layer adds none`);
  const layer = bindMoeLayer(built, seed);
  const assign = (name: string, values: unknown) => {
    const v = layer.variables.get(name);
    if (!v) throw new Error(`no variable ${name}`);
    v.assign(tf.tensor(flat(values), v.shape, 'float32'));
  };
  const ex = c.inputs.experts;
  const dense = c.router === 'dense';
  assign('moe/experts/w1', ex.w1);
  assign('moe/experts/b1', ex.b1);
  assign('moe/experts/w2', ex.w2);
  assign('moe/experts/b2', ex.b2);
  if (c.inputs.router_kernel) assign('moe/router/kernel', c.inputs.router_kernel);
  else if (dense) assign('moe/router/kernel', new Array(p.dim).fill(0));
  if (c.inputs.mu) {
    assign('moe/router/mu', c.inputs.mu);
    assign('moe/router/scale', c.inputs.scale);
  }
  if (noise) assign(NOISE_PARAM, flat(noise).map((n) => (n * (p.noise_std ?? 0)) / p.num_experts));
  const x = tf.tensor3d(flat(c.inputs.x), [p.batch, p.tokens_per_image, p.dim], 'float32');
  return { layer, built, x, training: noise !== undefined };
}

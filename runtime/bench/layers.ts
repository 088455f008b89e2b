// The router-layer benchmark: one MoE layer (any router, lowered and run exactly as
// in a compiled model: runtime/moe-layer.ts) against a dense MLP layer with the same
// forward FLOPs, written with the runtime's own fast 2-D matmul and GELU kernels.
import * as tf from '@tensorflow/tfjs';
import type { MoeBlockLayer } from '../../compiler/model.ts';
import { buildMoeLayerGraph, bindMoeLayer, type MoeLayer } from '../moe-layer.ts';
import { fastMatMul } from '../kernels/products.ts';
import { gelu } from '../kernels/elementwise.ts';
import { fillNormal } from '../executor/random.ts';
import { compile, inMemoryFiles } from '../../compiler/compile.ts';
import { ROUTER_KINDS, routerSlots } from '../../compiler/routers/index.ts';

export interface LayerShape {
  /** A name for tables, e.g. `ViT-S (196 tokens, d 384)`. */
  readonly name: string;
  readonly tokens: number;
  readonly width: number;
  /** The dense MLP's (and each expert's) hidden size. */
  readonly mlp: number;
  readonly heads: number;
  readonly batch: number;
}

export interface RouterCase {
  /** The paper's router name. */
  readonly router: string;
  /** The router as written in a .moe file. */
  readonly expression: string;
}

/**
 * Every router kind of the router table with E experts at about the compute of
 * the dense MLP (sparse routers at capacity 1.0, k = 1; Soft MoE with ⌊T/E⌋
 * slots per expert), Soft MoE first: the benchmark reports the others against it.
 */
export function routerCases(tokens: number, experts: number): RouterCase[] {
  const cases = Object.entries(ROUTER_KINDS).map(([router, k]) => ({ router, expression: k.bench(experts, tokens) }));
  return [...cases.filter((c) => c.router === 'soft_moe'), ...cases.filter((c) => c.router !== 'soft_moe')];
}

/** The resolved MoE layer of `expression` on a T-token, width-d model (checked by the compiler). */
export function resolveMoeLayer(expression: string, shape: LayerShape): MoeBlockLayer {
  const text = `model layer_bench {
  image: ${shape.tokens}x1x1, patch: 1, width: ${shape.width}, depth: 1, heads: ${shape.heads}, mlp: ${shape.mlp}, classes: 10
  blocks all: moe(${expression})
}
`;
  const c = compile('layer-bench.moe', { readFile: inMemoryFiles({ 'layer-bench.moe': text }), train: false });
  if (!c.model) throw new Error(`layer bench: ${expression} does not check: ${c.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  const layer = c.model.blocks[0]!;
  if (layer.kind !== 'moe') throw new Error('internal: the layer bench model has no MoE block');
  return layer;
}

export interface BuiltMoeLayer {
  readonly layer: MoeLayer;
  /** Forward FLOPs of the layer per image (T tokens), from the cost model. */
  readonly flopsPerImage: number;
  /** Slots per expert per group. */
  readonly capacity: number;
}

export function buildMoeLayer(expression: string, shape: LayerShape, seed = 0): BuiltMoeLayer {
  const resolved = resolveMoeLayer(expression, shape);
  const built = buildMoeLayerGraph(resolved, { width: shape.width, tokensPerImage: shape.tokens });
  const flops = built.graph.nodes.reduce((a, n) => a + n.flops, 0);
  const r = resolved.router;
  return { layer: bindMoeLayer(built, seed), flopsPerImage: flops, capacity: routerSlots(r) };
}

/** Forward FLOPs per token of a dense MLP d → H → d (two products, bias, GELU ignored). */
export function denseMlpFlopsPerToken(width: number, hidden: number): number {
  return 4 * width * hidden;
}

/** The hidden size H whose dense MLP has the given forward FLOPs per token (at least 1). */
export function equalFlopsHidden(flopsPerToken: number, width: number): number {
  return Math.max(1, Math.round(flopsPerToken / (4 * width)));
}

export interface DenseMlp {
  readonly hidden: number;
  readonly variables: readonly tf.Variable[];
  /** x [n, d] → [n, d]. */
  apply(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

function seededTensor(shape: number[], std: number, seed: number): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fillNormal(values, seed, std);
  return tf.tensor(values, shape);
}

/** The dense MLP of a ViT block (tanh GELU), with the runtime's kernels. */
export function createDenseMlp(width: number, hidden: number, seed = 0): DenseMlp {
  // tidy frees the initial values; variables are not tracked by it.
  const [w1, b1, w2, b2] = tf.tidy(() => [
    tf.variable(seededTensor([width, hidden], Math.sqrt(2 / (width + hidden)), seed), true),
    tf.variable(tf.zeros([hidden]), true),
    tf.variable(seededTensor([hidden, width], Math.sqrt(2 / (width + hidden)), seed + 1), true),
    tf.variable(tf.zeros([width]), true),
  ]);
  return {
    hidden,
    variables: [w1, b1, w2, b2],
    apply: (x) => tf.add(fastMatMul(gelu(tf.add(fastMatMul(x, w1), b1), true), w2), b2) as tf.Tensor2D,
    dispose: () => tf.dispose([w1, b1, w2, b2]),
  };
}

/** Input activations [B, T, d] as a trainable variable, so the backward pass computes the input gradient as in a network. */
export function layerInput(shape: LayerShape, seed = 7): tf.Variable {
  return tf.tidy(() => tf.variable(seededTensor([shape.batch, shape.tokens, shape.width], 1, seed), true));
}

/** One forward + backward of the MoE layer (loss mean(y²) + aux); returns the loss. */
export function moeForwardBackward(layer: MoeLayer, x: tf.Variable): number {
  const vars = [x, ...layer.variables.values()].filter((v) => v.trainable);
  const { value, grads } = tf.variableGrads(() => {
    const r = layer.apply(x as unknown as tf.Tensor3D, { training: true, step: 0 });
    return tf.add(tf.mean(tf.square(r.y)), r.auxLoss) as tf.Scalar;
  }, vars);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

/** One forward + backward of the dense MLP on the same input; returns the loss. */
export function denseForwardBackward(mlp: DenseMlp, x: tf.Variable): number {
  const [B, T, d] = x.shape;
  const { value, grads } = tf.variableGrads(
    () => tf.mean(tf.square(mlp.apply(tf.reshape(x, [B! * T!, d!]) as tf.Tensor2D))) as tf.Scalar,
    [x, ...mlp.variables],
  );
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

// The op vocabulary of the graph: for each op kind, how many inputs it takes,
// which attributes it has, and what it does. The schema (schema.ts), the builder
// (builder.ts) and the runtime's kernel registry all key on these names.
import type { OpKind } from './ir.ts';

export type AttrType = 'number' | 'integer' | 'boolean' | 'string' | 'integers' | 'dims' | 'numberOrNull';

export interface OpSignature {
  /** Exact number of inputs, or 'variadic' (one or more). */
  readonly arity: number | 'variadic';
  readonly attrs: Readonly<Record<string, AttrType>>;
  /** Attributes that may be omitted. */
  readonly optional?: readonly string[];
  /** True when no gradient flows through the op (its inputs get zero gradient). */
  readonly selection?: boolean;
  readonly doc: string;
}

const unary = (doc: string): OpSignature => ({ arity: 1, attrs: {}, doc });
const binary = (doc: string): OpSignature => ({ arity: 2, attrs: {}, doc });
const reduce = (doc: string): OpSignature => ({ arity: 1, attrs: { axes: 'integers', keepDims: 'boolean' }, doc });

export const OPS: Readonly<Record<OpKind, OpSignature>> = {
  input: { arity: 0, attrs: { name: 'string' }, doc: 'A graph input (the image batch, NHWC float32).' },
  param: { arity: 0, attrs: { name: 'string' }, doc: 'The current value of the named parameter.' },
  constant: { arity: 0, attrs: { value: 'number' }, doc: 'A float32 scalar constant.' },

  add: binary('a + b, numpy broadcasting.'),
  sub: binary('a - b.'),
  mul: binary('a * b.'),
  div: binary('a / b.'),
  maximum: binary('max(a, b) elementwise.'),
  minimum: binary('min(a, b) elementwise.'),
  neg: unary('-x.'),
  exp: unary('e^x.'),
  log: unary('natural logarithm.'),
  sqrt: unary('square root.'),
  rsqrt: unary('1 / sqrt(x).'),
  square: unary('x².'),
  tanh: unary('hyperbolic tangent.'),
  erf: unary('the error function.'),
  sigmoid: unary('1 / (1 + e^-x).'),
  gelu: { arity: 1, attrs: { approximate: 'boolean' }, doc: 'GELU; approximate=true is the tanh form (flax default), false the exact erf form.' },
  greater: { ...binary('1.0 where a > b else 0.0 (float32 mask).'), selection: true },
  greater_equal: { ...binary('1.0 where a >= b else 0.0.'), selection: true },
  less: { ...binary('1.0 where a < b else 0.0.'), selection: true },
  equal: { ...binary('1.0 where a == b else 0.0.'), selection: true },
  where: { arity: 3, attrs: {}, doc: 'cond != 0 ? a : b (cond is a float mask; no gradient to cond).' },
  cast: { arity: 1, attrs: { dtype: 'string' }, doc: 'Converts to float32 or int32.' },
  stop_gradient: { ...unary('Identity forward; zero gradient backward.'), selection: true },

  reshape: { arity: 1, attrs: { shape: 'dims' }, doc: 'Reshape to a static shape (B allowed).' },
  transpose: { arity: 1, attrs: { perm: 'integers' }, doc: 'Permute axes.' },
  slice: { arity: 1, attrs: { begin: 'integers', size: 'dims' }, doc: 'Static slice; size entries may be symbolic.' },
  concat: { arity: 'variadic', attrs: { axis: 'integer' }, doc: 'Concatenate along an axis.' },
  broadcast_to: { arity: 1, attrs: { shape: 'dims' }, doc: 'Broadcast to a shape.' },

  matmul: { arity: 2, attrs: {}, doc: '2-D [m,k]·[k,n] with no transpose flags; its gradient is two plain 2-D products (fast on wasm).' },
  batch_matmul: {
    arity: 2,
    attrs: { transposeA: 'boolean', transposeB: 'boolean' },
    doc: 'Batched product over equal leading axes (rank ≥ 3, no broadcasting): attention, dispatch and combine.',
  },
  expert_matmul: {
    arity: 2,
    attrs: {},
    doc: 'x [E,n,k] · w [E,k,m] → [E,n,m], one 2-D product per expert (on wasm far faster than a batched product).',
  },

  sum: reduce('Sum over axes.'),
  mean: reduce('Mean over axes.'),
  max: reduce('Maximum over axes.'),
  min: reduce('Minimum over axes.'),
  logsumexp: { arity: 1, attrs: { axis: 'integer', keepDims: 'boolean' }, doc: 'log Σ exp over one axis, stable.' },

  softmax: unary('Softmax over the last axis.'),
  log_softmax: unary('Log-softmax over the last axis.'),
  layer_norm: {
    arity: 3,
    attrs: { epsilon: 'number' },
    doc: 'LayerNorm over the last axis of x with scale and bias inputs: (x - mean) / sqrt(var + eps) * scale + bias.',
  },
  dropout: {
    arity: 1,
    attrs: { rate: 'number', stream: 'string' },
    doc: 'Inverted dropout in training (seeded by the named random stream and the step); identity in evaluation.',
  },
  add_noise: {
    arity: 1,
    attrs: { std: 'number', stream: 'string' },
    doc: 'x + std·N(0,1) in training (seeded by stream and step); x in evaluation.',
  },

  top_k_values: { arity: 1, attrs: { k: 'integer' }, selection: true, doc: 'The k largest values along the last axis, descending (ties: lower index first).' },
  top_k_indices: { arity: 1, attrs: { k: 'integer' }, selection: true, doc: 'Indices (int32) of the k largest values along the last axis (ties: lower index first).' },
  argmax: { arity: 1, attrs: { axis: 'integer' }, selection: true, doc: 'Index (int32) of the largest value along an axis (ties: lower index).' },
  one_hot: {
    arity: 1,
    attrs: { depth: 'integer' },
    selection: true,
    doc: 'int32 indices → float32 one-hot on a new last axis; an index outside [0, depth) gives all zeros.',
  },
  cumsum: { arity: 1, attrs: { axis: 'integer', exclusive: 'boolean' }, doc: 'Cumulative sum along an axis.' },

  sinkhorn_plan: {
    arity: 1,
    attrs: { iterations: 'integer' },
    selection: true,
    doc: 'logits [G,S,E] → entropic OT plan (ε=1, rows sum to 1, columns to S/E), log-domain, fixed iterations (routers.md §4.2).',
  },
  sparse_ot_plan: {
    arity: 1,
    attrs: { iterations: 'integer', capacity: 'integer', lr: 'number', tol: 'number', gamma: 'number' },
    selection: true,
    doc: 'softmax probs [G,S,E] → k-sparse quadratically regularised OT plan by the semi-dual Adam solver (routers.md §4.5).',
  },
};

export const OP_KINDS = Object.keys(OPS) as OpKind[];

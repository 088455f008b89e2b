// The op vocabulary of the graph: for each op kind, its definition — how many
// inputs it takes, which attributes it has, how its output shape and dtype follow
// from its inputs (`infer`), how many FLOPs it costs, and whether a gradient flows
// through it. The builder (builder.ts) creates nodes through `infer`, graph
// validation (validate.ts) re-infers every node of a loaded graph, the schema
// (schema.ts) reads arity and attributes, and the executor applies `grad: 'none'`
// (runtime/kernels/bind.ts). Exporters map each op kind of this table.
import type { AttrValue, DType, Dim, OpKind, Shape } from './ir.ts';
import { dimProduct, dimsEqual, formatDim, parseDim, rationalsEqual, shapeToString, sizePerExample } from './dims.ts';
import { broadcastShapes, fail, normAxis } from './shapes.ts';

export type AttrType = 'number' | 'integer' | 'boolean' | 'string' | 'integers' | 'dims' | 'numberOrNull';

/** What infer knows of an input: its static shape and dtype. */
export interface TensorType {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** Shapes a source op cannot infer from inputs: the graph's declared inputs and parameters. */
export interface InferEnv {
  input(name: string): Shape | undefined;
  param(name: string): Shape | undefined;
}

export type Attrs = Readonly<Record<string, AttrValue>>;

export interface OpDef {
  /** Exact number of inputs, or 'variadic' (one or more). */
  readonly arity: number | 'variadic';
  readonly attrs: Readonly<Record<string, AttrType>>;
  /** Attributes that may be omitted. */
  readonly optional?: readonly string[];
  /**
   * Output shape and dtype from the inputs and attributes (attributes as the builder
   * writes them: axes normalised, shapes in lowest terms). Throws GraphShapeError
   * when the inputs do not fit.
   */
  readonly infer: (inputs: readonly TensorType[], attrs: Attrs, env: InferEnv) => TensorType;
  /** Forward FLOPs per batch element (multiply-add = 2); absent: 0 (elementwise ops and data movement are not counted). */
  readonly flops?: (inputs: readonly TensorType[], attrs: Attrs, output: TensorType) => number;
  /** 'none': no gradient flows through the op (every input gets a zero gradient); 'auto': the kernel's own gradient. */
  readonly grad: 'auto' | 'none';
  readonly doc: string;
}

const f32 = (shape: Shape): TensorType => ({ shape: [...shape], dtype: 'float32' });
const same = ([x]: readonly TensorType[]): TensorType => ({ shape: [...x.shape], dtype: x.dtype });
const num = (attrs: Attrs, name: string): number => attrs[name] as number;

function elements(shape: Shape, what: string) {
  try {
    return dimProduct(shape);
  } catch (e) {
    return fail(`${what}: ${(e as Error).message}`);
  }
}

/** The contracted dimension as a number (contracting over the batch is not supported). */
function contraction(d: Dim, op: string): number {
  const k = parseDim(d);
  if (k.power !== 0) fail(`${op} contraction over the batch axis`);
  return k.num / k.den;
}

const unary = (doc: string): OpDef => ({ arity: 1, attrs: {}, grad: 'auto', infer: ([x]) => f32(x.shape), doc });
const binary = (doc: string, grad: 'auto' | 'none' = 'auto'): OpDef => ({
  arity: 2,
  attrs: {},
  grad,
  infer: ([a, b]) => f32(broadcastShapes(a.shape, b.shape)),
  doc,
});
const reduce = (doc: string): OpDef => ({
  arity: 1,
  attrs: { axes: 'integers', keepDims: 'boolean' },
  grad: 'auto',
  infer: ([x], attrs) => {
    const axes = (attrs.axes as readonly number[]).map((a) => normAxis(a, x.shape.length));
    return { shape: x.shape.flatMap((d, i) => (axes.includes(i) ? (attrs.keepDims ? [1] : []) : [d])), dtype: x.dtype };
  },
  doc,
});
const lastAxisK = (dtype: DType): OpDef['infer'] => ([x], attrs) => {
  if (x.shape.length < 1) fail('top-k of a scalar');
  const last = x.shape[x.shape.length - 1];
  if (typeof last === 'number' && num(attrs, 'k') > last) fail(`k ${num(attrs, 'k')} exceeds the last axis ${last}`);
  return { shape: [...x.shape.slice(0, -1), num(attrs, 'k')], dtype };
};
const groupsTokensExperts = (what: string): OpDef['infer'] => ([x]) => {
  if (x.shape.length !== 3) fail(`${what} needs [G,S,E], got ${shapeToString(x.shape)}`);
  return f32(x.shape);
};

export const OPS: Readonly<Record<OpKind, OpDef>> = {
  input: {
    arity: 0,
    attrs: { name: 'string' },
    grad: 'auto',
    infer: (_, attrs, env) => f32(env.input(String(attrs.name)) ?? fail(`'${String(attrs.name)}' is not a graph input`)),
    doc: 'A graph input (the image batch, NHWC float32).',
  },
  param: {
    arity: 0,
    attrs: { name: 'string' },
    grad: 'auto',
    infer: (_, attrs, env) => f32(env.param(String(attrs.name)) ?? fail(`parameter '${String(attrs.name)}' is not declared`)),
    doc: 'The current value of the named parameter.',
  },
  constant: { arity: 0, attrs: { value: 'number' }, grad: 'auto', infer: () => f32([]), doc: 'A float32 scalar constant.' },

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
  gelu: {
    arity: 1,
    attrs: { approximate: 'boolean' },
    grad: 'auto',
    infer: ([x]) => f32(x.shape),
    doc: 'GELU; approximate=true is the tanh form (flax default), false the exact erf form.',
  },
  greater: binary('1.0 where a > b else 0.0 (float32 mask).', 'none'),
  greater_equal: binary('1.0 where a >= b else 0.0.', 'none'),
  less: binary('1.0 where a < b else 0.0.', 'none'),
  equal: binary('1.0 where a == b else 0.0.', 'none'),
  where: {
    arity: 3,
    attrs: {},
    grad: 'auto',
    infer: ([c, a, b]) => f32(broadcastShapes(broadcastShapes(c.shape, a.shape), b.shape)),
    doc: 'cond != 0 ? a : b (cond is a float mask; no gradient to cond, the kernel keeps it off the tape).',
  },
  cast: {
    arity: 1,
    attrs: { dtype: 'string' },
    grad: 'auto',
    infer: ([x], attrs) => {
      if (attrs.dtype !== 'float32' && attrs.dtype !== 'int32') fail(`cast to '${String(attrs.dtype)}' (float32 or int32)`);
      return { shape: [...x.shape], dtype: attrs.dtype };
    },
    doc: 'Converts to float32 or int32 (to int32: no gradient, the kernel keeps it off the tape).',
  },
  stop_gradient: { arity: 1, attrs: {}, grad: 'none', infer: same, doc: 'Identity forward; zero gradient backward.' },

  reshape: {
    arity: 1,
    attrs: { shape: 'dims' },
    grad: 'auto',
    infer: ([x], attrs) => {
      const shape = attrs.shape as readonly Dim[];
      if (!rationalsEqual(elements(x.shape, 'reshape'), elements(shape, 'reshape'))) {
        fail(`reshape ${shapeToString(x.shape)} → ${shapeToString(shape)} changes the number of elements`);
      }
      return { shape: shape.map((d) => formatDim(parseDim(d))), dtype: x.dtype };
    },
    doc: 'Reshape to a static shape (B allowed).',
  },
  transpose: {
    arity: 1,
    attrs: { perm: 'integers' },
    grad: 'auto',
    infer: ([x], attrs) => {
      const perm = attrs.perm as readonly number[];
      if (perm.length !== x.shape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
        fail(`transpose perm [${perm.join(', ')}] does not fit rank ${x.shape.length}`);
      }
      return { shape: perm.map((p) => x.shape[p]), dtype: x.dtype };
    },
    doc: 'Permute axes.',
  },
  slice: {
    arity: 1,
    attrs: { begin: 'integers', size: 'dims' },
    grad: 'auto',
    infer: ([x], attrs) => {
      const begin = attrs.begin as readonly number[];
      const size = attrs.size as readonly Dim[];
      if (begin.length !== x.shape.length || size.length !== x.shape.length) fail('slice begin/size must match the rank');
      for (let i = 0; i < size.length; i++) {
        const dim = x.shape[i];
        if (begin[i] < 0) fail(`slice begin ${begin[i]} is negative on axis ${i}`);
        if (typeof dim === 'number' && typeof size[i] === 'number' && begin[i] + (size[i] as number) > dim) {
          fail(`slice [${begin[i]}, +${size[i]}) out of range for axis ${i} of size ${dim}`);
        }
        if ((typeof size[i] === 'string' || typeof dim === 'string') && (!dimsEqual(size[i], dim) || begin[i] !== 0)) {
          fail('a symbolic slice must take the whole axis');
        }
      }
      return { shape: [...size], dtype: x.dtype };
    },
    doc: 'Static slice; size entries may be symbolic.',
  },
  concat: {
    arity: 'variadic',
    attrs: { axis: 'integer' },
    grad: 'auto',
    infer: (xs, attrs) => {
      if (xs.length === 0) fail('concat of nothing');
      const rank = xs[0].shape.length;
      const a = normAxis(num(attrs, 'axis'), rank);
      let total = 0;
      for (const x of xs) {
        if (x.shape.length !== rank) fail('concat of different ranks');
        x.shape.forEach((d, i) => {
          if (i !== a && !dimsEqual(d, xs[0].shape[i])) fail(`concat: shapes ${shapeToString(xs[0].shape)} and ${shapeToString(x.shape)} differ off axis ${a}`);
        });
        const d = x.shape[a];
        if (typeof d !== 'number') fail('concat along a symbolic axis');
        total += d;
      }
      return { shape: xs[0].shape.map((d, i) => (i === a ? total : d)), dtype: xs[0].dtype };
    },
    doc: 'Concatenate along an axis.',
  },
  broadcast_to: {
    arity: 1,
    attrs: { shape: 'dims' },
    grad: 'auto',
    infer: ([x], attrs) => {
      const shape = attrs.shape as readonly Dim[];
      const out = broadcastShapes(x.shape, shape);
      if (out.length !== shape.length || out.some((d, i) => !dimsEqual(d, shape[i]))) fail(`cannot broadcast ${shapeToString(x.shape)} to ${shapeToString(shape)}`);
      return { shape: [...shape], dtype: x.dtype };
    },
    doc: 'Broadcast to a shape.',
  },

  matmul: {
    arity: 2,
    attrs: {},
    grad: 'auto',
    infer: ([a, b]) => {
      if (a.shape.length !== 2 || b.shape.length !== 2) fail(`matmul needs 2-D operands, got ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
      if (!dimsEqual(a.shape[1], b.shape[0])) fail(`matmul inner dimensions differ: ${shapeToString(a.shape)} · ${shapeToString(b.shape)}`);
      return f32([a.shape[0], b.shape[1]]);
    },
    flops: ([a], _, out) => 2 * sizePerExample(out.shape) * contraction(a.shape[1], 'matmul'),
    doc: '2-D [m,k]·[k,n] with no transpose flags; its gradient is two plain 2-D products (fast on wasm).',
  },
  batch_matmul: {
    arity: 2,
    attrs: { transposeA: 'boolean', transposeB: 'boolean' },
    grad: 'auto',
    infer: ([a, b], attrs) => {
      const r = a.shape.length;
      if (r < 3 || b.shape.length !== r) fail(`batch_matmul needs operands of equal rank ≥ 3, got ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
      for (let i = 0; i < r - 2; i++) if (!dimsEqual(a.shape[i], b.shape[i])) fail(`batch_matmul batch axes differ: ${shapeToString(a.shape)} · ${shapeToString(b.shape)}`);
      const [m, k1] = attrs.transposeA ? [a.shape[r - 1], a.shape[r - 2]] : [a.shape[r - 2], a.shape[r - 1]];
      const [k2, n] = attrs.transposeB ? [b.shape[r - 1], b.shape[r - 2]] : [b.shape[r - 2], b.shape[r - 1]];
      if (!dimsEqual(k1, k2)) fail(`batch_matmul inner dimensions differ: ${shapeToString(a.shape)} · ${shapeToString(b.shape)}`);
      contraction(k1, 'batch_matmul');
      return f32([...a.shape.slice(0, r - 2), m, n]);
    },
    flops: ([a], attrs, out) => {
      const r = a.shape.length;
      return 2 * sizePerExample(out.shape) * contraction(attrs.transposeA ? a.shape[r - 2] : a.shape[r - 1], 'batch_matmul');
    },
    doc: 'Batched product over equal leading axes (rank ≥ 3, no broadcasting): attention, dispatch and combine.',
  },
  expert_matmul: {
    arity: 2,
    attrs: {},
    grad: 'auto',
    infer: ([x, w]) => {
      if (x.shape.length !== 3 || w.shape.length !== 3) fail('expert_matmul needs [E,n,k] and [E,k,m]');
      if (!dimsEqual(x.shape[0], w.shape[0]) || !dimsEqual(x.shape[2], w.shape[1])) fail(`expert_matmul shapes do not fit: ${shapeToString(x.shape)} · ${shapeToString(w.shape)}`);
      return f32([x.shape[0], x.shape[1], w.shape[2]]);
    },
    flops: ([x], _, out) => 2 * sizePerExample(out.shape) * contraction(x.shape[2], 'expert_matmul'),
    doc: 'x [E,n,k] · w [E,k,m] → [E,n,m], one 2-D product per expert (on wasm far faster than a batched product).',
  },

  sum: reduce('Sum over axes.'),
  mean: reduce('Mean over axes.'),
  max: reduce('Maximum over axes.'),
  min: reduce('Minimum over axes.'),
  logsumexp: {
    arity: 1,
    attrs: { axis: 'integer', keepDims: 'boolean' },
    grad: 'auto',
    infer: ([x], attrs) => {
      const a = normAxis(num(attrs, 'axis'), x.shape.length);
      return f32(x.shape.flatMap((d, i) => (i === a ? (attrs.keepDims ? [1] : []) : [d])));
    },
    doc: 'log Σ exp over one axis, stable.',
  },

  softmax: unary('Softmax over the last axis.'),
  log_softmax: unary('Log-softmax over the last axis.'),
  layer_norm: {
    arity: 3,
    attrs: { epsilon: 'number' },
    grad: 'auto',
    infer: ([x, scale, bias]) => {
      const d = x.shape[x.shape.length - 1];
      if (d === undefined) fail('layer_norm of a scalar');
      if (scale.shape.length !== 1 || !dimsEqual(scale.shape[0], d) || bias.shape.length !== 1 || !dimsEqual(bias.shape[0], d)) {
        fail(`layer_norm scale/bias must be [${d}]`);
      }
      return f32(x.shape);
    },
    doc: 'LayerNorm over the last axis of x with scale and bias inputs: (x - mean) / sqrt(var + eps) * scale + bias.',
  },
  dropout: {
    arity: 1,
    attrs: { rate: 'number', stream: 'string' },
    grad: 'auto',
    infer: ([x]) => f32(x.shape),
    doc: 'Inverted dropout in training (seeded by the named random stream and the step); identity in evaluation.',
  },
  add_noise: {
    arity: 1,
    attrs: { std: 'number', stream: 'string' },
    grad: 'auto',
    infer: ([x]) => f32(x.shape),
    doc: 'x + std·N(0,1) in training (seeded by stream and step); x in evaluation.',
  },

  top_k_values: {
    arity: 1,
    attrs: { k: 'integer' },
    grad: 'none',
    infer: lastAxisK('float32'),
    doc: 'The k largest values along the last axis, descending (ties: lower index first).',
  },
  top_k_indices: {
    arity: 1,
    attrs: { k: 'integer' },
    grad: 'none',
    infer: lastAxisK('int32'),
    doc: 'Indices (int32) of the k largest values along the last axis (ties: lower index first).',
  },
  argmax: {
    arity: 1,
    attrs: { axis: 'integer' },
    grad: 'none',
    infer: ([x], attrs) => {
      const a = normAxis(num(attrs, 'axis'), x.shape.length);
      return { shape: x.shape.filter((_, i) => i !== a), dtype: 'int32' };
    },
    doc: 'Index (int32) of the largest value along an axis (ties: lower index).',
  },
  one_hot: {
    arity: 1,
    attrs: { depth: 'integer' },
    grad: 'none',
    infer: ([indices], attrs) => {
      if (indices.dtype !== 'int32') fail('one_hot needs int32 indices');
      return f32([...indices.shape, num(attrs, 'depth')]);
    },
    doc: 'int32 indices → float32 one-hot on a new last axis; an index outside [0, depth) gives all zeros.',
  },
  cumsum: {
    arity: 1,
    attrs: { axis: 'integer', exclusive: 'boolean' },
    grad: 'auto',
    infer: ([x], attrs) => {
      normAxis(num(attrs, 'axis'), x.shape.length);
      return same([x]);
    },
    doc: 'Cumulative sum along an axis (differentiable for float32 input).',
  },

  sinkhorn_plan: {
    arity: 1,
    attrs: { iterations: 'integer' },
    grad: 'none',
    infer: groupsTokensExperts('sinkhorn_plan'),
    doc: 'logits [G,S,E] → entropic OT plan (ε=1, rows sum to 1, columns to S/E), log-domain, fixed iterations (routers.md §4.2).',
  },
  sparse_ot_plan: {
    arity: 1,
    attrs: { iterations: 'integer', capacity: 'integer', lr: 'number', tol: 'number', gamma: 'number' },
    grad: 'none',
    infer: groupsTokensExperts('sparse_ot_plan'),
    doc: 'softmax probs [G,S,E] → k-sparse quadratically regularised OT plan by the semi-dual Adam solver (routers.md §4.5).',
  },
};

export const OP_KINDS = Object.keys(OPS) as OpKind[];

/** The op kinds no gradient flows through (the executor keeps them off the tape). */
export const NO_GRADIENT_OPS: ReadonlySet<OpKind> = new Set(OP_KINDS.filter((op) => OPS[op].grad === 'none'));

/** Output type and FLOPs of one node by its op's definition (throws GraphShapeError when the inputs do not fit). */
export function inferNode(op: OpKind, inputs: readonly TensorType[], attrs: Attrs, env: InferEnv): TensorType & { readonly flops: number } {
  const def = OPS[op];
  const arity = def.arity === 'variadic' ? inputs.length >= 1 : inputs.length === def.arity;
  if (!arity) fail(`${op} takes ${def.arity === 'variadic' ? 'at least 1' : def.arity} input${def.arity === 1 ? '' : 's'}, got ${inputs.length}`);
  const out = def.infer(inputs, attrs, env);
  return { ...out, flops: def.flops ? def.flops(inputs, attrs, out) : 0 };
}

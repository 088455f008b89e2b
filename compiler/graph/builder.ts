// GraphBuilder: the one way lowering code creates op-graph nodes. Every method
// checks its inputs' shapes, infers the static output shape (with the symbolic
// batch B), counts FLOPs of matrix products, and records the current scope.
import type { AttrValue, BlockInfo, DType, Dim, Graph, GraphInput, OpKind, OpNode, ParamSpec, Shape, VitInfo } from './ir.ts';
import { GRAPH_FORMAT } from './ir.ts';
import type { ResolvedModel } from '../model.ts';
import {
  dimProduct,
  dimsEqual,
  formatDim,
  parseDim,
  rationalsEqual,
  shapeToString,
  sizePerExample,
} from './dims.ts';

/** A reference to a node's output. */
export interface Ref {
  readonly id: string;
  readonly shape: Shape;
  readonly dtype: DType;
}

export class GraphShapeError extends Error {}

function fail(message: string): never {
  throw new GraphShapeError(message);
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Numpy broadcasting of two static shapes. */
export function broadcastShapes(a: Shape, b: Shape): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1 || dimsEqual(x, y)) out.push(x);
    else fail(`cannot broadcast ${shapeToString(a)} with ${shapeToString(b)}`);
  }
  return out;
}

export class GraphBuilder {
  private readonly nodes: OpNode[] = [];
  private readonly params: ParamSpec[] = [];
  private readonly paramRefs = new Map<string, Ref>();
  private readonly inputs: GraphInput[] = [];
  private readonly scopes: string[] = [];
  private readonly usedIds = new Set<string>();
  private counter = 0;

  /** Runs `fn` with `name` appended to the scope (used for node ids, param names, reports). */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  get currentScope(): string {
    return this.scopes.join('/');
  }

  private add(op: OpKind, inputs: readonly Ref[], attrs: Record<string, AttrValue>, shape: Shape, dtype: DType, flops = 0, hint?: string): Ref {
    const scope = this.currentScope;
    const base = `${scope ? `${scope}/` : ''}${hint ?? op}`;
    let id = base;
    while (this.usedIds.has(id)) id = `${base}_${++this.counter}`;
    this.usedIds.add(id);
    const node: OpNode = { id, op, inputs: inputs.map((r) => r.id), attrs, shape: [...shape], dtype, scope, flops };
    this.nodes.push(node);
    return { id, shape: node.shape, dtype };
  }

  // ------------------------------------------------------------ sources

  input(name: 'images', shape: Shape): Ref {
    this.inputs.push({ name, shape: [...shape], dtype: 'float32' });
    return this.add('input', [], { name }, shape, 'float32', 0, name);
  }

  /** Declares a parameter named `<scope>/<name>` and returns a node reading it. */
  param(name: string, shape: readonly number[], init: ParamSpec['init'], options: { decay?: boolean; trainable?: boolean; shareAlongAxis0?: boolean } = {}): Ref {
    const full = this.currentScope ? `${this.currentScope}/${name}` : name;
    if (this.paramRefs.has(full)) fail(`parameter ${full} declared twice`);
    const spec: ParamSpec = {
      name: full,
      shape: [...shape],
      init,
      decay: options.decay ?? false,
      trainable: options.trainable ?? true,
      ...(options.shareAlongAxis0 ? { shareAlongAxis0: true } : {}),
    };
    this.params.push(spec);
    const ref = this.add('param', [], { name: full }, shape, 'float32', 0, name);
    this.paramRefs.set(full, ref);
    return ref;
  }

  /** The full parameter name a `param` node reads (for block descriptions). */
  paramName(ref: Ref): string {
    for (const [name, r] of this.paramRefs) if (r.id === ref.id) return name;
    return fail(`${ref.id} is not a parameter node`);
  }

  constant(value: number): Ref {
    return this.add('constant', [], { value }, [], 'float32');
  }

  // ------------------------------------------------------------ elementwise

  private binary(op: OpKind, a: Ref, b: Ref, hint?: string): Ref {
    return this.add(op, [a, b], {}, broadcastShapes(a.shape, b.shape), 'float32', 0, hint);
  }
  private unary(op: OpKind, x: Ref, hint?: string, attrs: Record<string, AttrValue> = {}): Ref {
    return this.add(op, [x], attrs, x.shape, 'float32', 0, hint);
  }
  private scalarOr(x: Ref | number): Ref {
    return typeof x === 'number' ? this.constant(x) : x;
  }

  addT(a: Ref, b: Ref | number, hint?: string): Ref { return this.binary('add', a, this.scalarOr(b), hint); }
  sub(a: Ref | number, b: Ref | number, hint?: string): Ref { return this.binary('sub', this.scalarOr(a), this.scalarOr(b), hint); }
  mul(a: Ref, b: Ref | number, hint?: string): Ref { return this.binary('mul', a, this.scalarOr(b), hint); }
  div(a: Ref | number, b: Ref | number, hint?: string): Ref { return this.binary('div', this.scalarOr(a), this.scalarOr(b), hint); }
  maximum(a: Ref, b: Ref | number, hint?: string): Ref { return this.binary('maximum', a, this.scalarOr(b), hint); }
  minimum(a: Ref, b: Ref | number, hint?: string): Ref { return this.binary('minimum', a, this.scalarOr(b), hint); }
  greater(a: Ref, b: Ref | number, hint?: string): Ref { return this.binary('greater', a, this.scalarOr(b), hint); }
  greaterEqual(a: Ref, b: Ref | number, hint?: string): Ref { return this.binary('greater_equal', a, this.scalarOr(b), hint); }
  less(a: Ref, b: Ref | number, hint?: string): Ref { return this.binary('less', a, this.scalarOr(b), hint); }
  equal(a: Ref, b: Ref | number, hint?: string): Ref { return this.binary('equal', a, this.scalarOr(b), hint); }
  neg(x: Ref, hint?: string): Ref { return this.unary('neg', x, hint); }
  exp(x: Ref, hint?: string): Ref { return this.unary('exp', x, hint); }
  log(x: Ref, hint?: string): Ref { return this.unary('log', x, hint); }
  sqrt(x: Ref, hint?: string): Ref { return this.unary('sqrt', x, hint); }
  rsqrt(x: Ref, hint?: string): Ref { return this.unary('rsqrt', x, hint); }
  square(x: Ref, hint?: string): Ref { return this.unary('square', x, hint); }
  tanh(x: Ref, hint?: string): Ref { return this.unary('tanh', x, hint); }
  erf(x: Ref, hint?: string): Ref { return this.unary('erf', x, hint); }
  sigmoid(x: Ref, hint?: string): Ref { return this.unary('sigmoid', x, hint); }
  gelu(x: Ref, approximate = true, hint?: string): Ref { return this.unary('gelu', x, hint, { approximate }); }
  stopGradient(x: Ref, hint?: string): Ref { return this.add('stop_gradient', [x], {}, x.shape, x.dtype, 0, hint); }

  where(cond: Ref, a: Ref, b: Ref, hint?: string): Ref {
    const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
    return this.add('where', [cond, a, b], {}, shape, 'float32', 0, hint);
  }

  cast(x: Ref, dtype: DType, hint?: string): Ref {
    return this.add('cast', [x], { dtype }, x.shape, dtype, 0, hint);
  }

  // ------------------------------------------------------------ shape

  reshape(x: Ref, shape: readonly Dim[], hint?: string): Ref {
    if (!rationalsEqual(dimProduct(x.shape), dimProduct(shape))) {
      fail(`reshape ${shapeToString(x.shape)} → ${shapeToString(shape)} changes the number of elements`);
    }
    const normalized = shape.map((d) => formatDim(parseDim(d)));
    return this.add('reshape', [x], { shape: normalized }, normalized, x.dtype, 0, hint);
  }

  transpose(x: Ref, perm: readonly number[], hint?: string): Ref {
    if (perm.length !== x.shape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
      fail(`transpose perm [${perm}] does not fit rank ${x.shape.length}`);
    }
    return this.add('transpose', [x], { perm: [...perm] }, perm.map((p) => x.shape[p]), x.dtype, 0, hint);
  }

  slice(x: Ref, begin: readonly number[], size: readonly Dim[], hint?: string): Ref {
    if (begin.length !== x.shape.length || size.length !== x.shape.length) fail('slice begin/size must match the rank');
    for (let i = 0; i < size.length; i++) {
      const dim = x.shape[i];
      if (typeof dim === 'number' && typeof size[i] === 'number' && begin[i] + (size[i] as number) > dim) {
        fail(`slice [${begin[i]}, +${size[i]}) out of range for axis ${i} of size ${dim}`);
      }
      if (typeof size[i] === 'string' && (!dimsEqual(size[i], dim) || begin[i] !== 0)) fail('a symbolic slice must take the whole axis');
    }
    return this.add('slice', [x], { begin: [...begin], size: [...size] }, [...size], x.dtype, 0, hint);
  }

  concat(xs: readonly Ref[], axis: number, hint?: string): Ref {
    if (xs.length === 0) fail('concat of nothing');
    const rank = xs[0].shape.length;
    const a = normAxis(axis, rank);
    let total: Dim = 0;
    for (const x of xs) {
      if (x.shape.length !== rank) fail('concat of different ranks');
      x.shape.forEach((d, i) => {
        if (i !== a && !dimsEqual(d, xs[0].shape[i])) fail(`concat: shapes ${shapeToString(xs[0].shape)} and ${shapeToString(x.shape)} differ off axis ${a}`);
      });
      const d = x.shape[a];
      if (typeof d !== 'number' || typeof total !== 'number') fail('concat along a symbolic axis');
      total = total + d;
    }
    const shape = xs[0].shape.map((d, i) => (i === a ? total : d));
    return this.add('concat', xs, { axis: a }, shape, xs[0].dtype, 0, hint);
  }

  broadcastTo(x: Ref, shape: readonly Dim[], hint?: string): Ref {
    const out = broadcastShapes(x.shape, shape);
    if (out.length !== shape.length || out.some((d, i) => !dimsEqual(d, shape[i]))) fail(`cannot broadcast ${shapeToString(x.shape)} to ${shapeToString(shape)}`);
    return this.add('broadcast_to', [x], { shape: [...shape] }, shape, x.dtype, 0, hint);
  }

  // ------------------------------------------------------------ products

  /** Plain 2-D product [m,k]·[k,n]. */
  matmul(a: Ref, b: Ref, hint?: string): Ref {
    if (a.shape.length !== 2 || b.shape.length !== 2) fail(`matmul needs 2-D operands, got ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
    if (!dimsEqual(a.shape[1], b.shape[0])) fail(`matmul inner dimensions differ: ${shapeToString(a.shape)} · ${shapeToString(b.shape)}`);
    const shape = [a.shape[0], b.shape[1]];
    return this.add('matmul', [a, b], {}, shape, 'float32', 2 * sizePerExample(shape) * Number(parseDim(a.shape[1]).num), hint);
  }

  batchMatmul(a: Ref, b: Ref, options: { transposeA?: boolean; transposeB?: boolean } = {}, hint?: string): Ref {
    const ta = options.transposeA ?? false;
    const tb = options.transposeB ?? false;
    const r = a.shape.length;
    if (r < 3 || b.shape.length !== r) fail(`batch_matmul needs operands of equal rank ≥ 3, got ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
    for (let i = 0; i < r - 2; i++) if (!dimsEqual(a.shape[i], b.shape[i])) fail(`batch_matmul batch axes differ: ${shapeToString(a.shape)} · ${shapeToString(b.shape)}`);
    const [m, k1] = ta ? [a.shape[r - 1], a.shape[r - 2]] : [a.shape[r - 2], a.shape[r - 1]];
    const [k2, n] = tb ? [b.shape[r - 1], b.shape[r - 2]] : [b.shape[r - 2], b.shape[r - 1]];
    if (!dimsEqual(k1, k2)) fail(`batch_matmul inner dimensions differ: ${shapeToString(a.shape)} · ${shapeToString(b.shape)}`);
    const shape = [...a.shape.slice(0, r - 2), m, n];
    const k = parseDim(k1);
    if (k.power !== 0) fail('batch_matmul contraction over the batch axis');
    return this.add('batch_matmul', [a, b], { transposeA: ta, transposeB: tb }, shape, 'float32', 2 * sizePerExample(shape) * k.num, hint);
  }

  /** x [E,n,k] · w [E,k,m] → [E,n,m] as one 2-D product per expert. */
  expertMatmul(x: Ref, w: Ref, hint?: string): Ref {
    if (x.shape.length !== 3 || w.shape.length !== 3) fail('expert_matmul needs [E,n,k] and [E,k,m]');
    if (!dimsEqual(x.shape[0], w.shape[0]) || !dimsEqual(x.shape[2], w.shape[1])) fail(`expert_matmul shapes do not fit: ${shapeToString(x.shape)} · ${shapeToString(w.shape)}`);
    const shape = [x.shape[0], x.shape[1], w.shape[2]];
    return this.add('expert_matmul', [x, w], {}, shape, 'float32', 2 * sizePerExample(shape) * Number(parseDim(x.shape[2]).num), hint);
  }

  // ------------------------------------------------------------ reductions

  private reduce(op: OpKind, x: Ref, axes: readonly number[], keepDims: boolean, hint?: string): Ref {
    const norm = axes.map((a) => normAxis(a, x.shape.length));
    const shape = x.shape.flatMap((d, i) => (norm.includes(i) ? (keepDims ? [1] : []) : [d]));
    return this.add(op, [x], { axes: norm, keepDims }, shape, x.dtype, 0, hint);
  }
  sum(x: Ref, axes: readonly number[], keepDims = false, hint?: string): Ref { return this.reduce('sum', x, axes, keepDims, hint); }
  mean(x: Ref, axes: readonly number[], keepDims = false, hint?: string): Ref { return this.reduce('mean', x, axes, keepDims, hint); }
  max(x: Ref, axes: readonly number[], keepDims = false, hint?: string): Ref { return this.reduce('max', x, axes, keepDims, hint); }
  min(x: Ref, axes: readonly number[], keepDims = false, hint?: string): Ref { return this.reduce('min', x, axes, keepDims, hint); }
  logsumexp(x: Ref, axis: number, keepDims = false, hint?: string): Ref {
    const a = normAxis(axis, x.shape.length);
    const shape = x.shape.flatMap((d, i) => (i === a ? (keepDims ? [1] : []) : [d]));
    return this.add('logsumexp', [x], { axis: a, keepDims }, shape, 'float32', 0, hint);
  }

  // ------------------------------------------------------------ neural-network ops

  softmax(x: Ref, hint?: string): Ref { return this.unary('softmax', x, hint); }
  logSoftmax(x: Ref, hint?: string): Ref { return this.unary('log_softmax', x, hint); }

  layerNorm(x: Ref, scale: Ref, bias: Ref, epsilon = 1e-6, hint?: string): Ref {
    const d = x.shape[x.shape.length - 1];
    if (scale.shape.length !== 1 || !dimsEqual(scale.shape[0], d) || bias.shape.length !== 1 || !dimsEqual(bias.shape[0], d)) {
      fail(`layer_norm scale/bias must be [${d}]`);
    }
    return this.add('layer_norm', [x, scale, bias], { epsilon }, x.shape, 'float32', 0, hint);
  }

  dropout(x: Ref, rate: number, stream: string, hint?: string): Ref {
    return this.add('dropout', [x], { rate, stream }, x.shape, 'float32', 0, hint);
  }

  addNoise(x: Ref, std: number, stream: string, hint?: string): Ref {
    return this.add('add_noise', [x], { std, stream }, x.shape, 'float32', 0, hint);
  }

  // ------------------------------------------------------------ selection

  topKValues(x: Ref, k: number, hint?: string): Ref {
    return this.add('top_k_values', [x], { k }, [...x.shape.slice(0, -1), k], 'float32', 0, hint);
  }
  topKIndices(x: Ref, k: number, hint?: string): Ref {
    return this.add('top_k_indices', [x], { k }, [...x.shape.slice(0, -1), k], 'int32', 0, hint);
  }
  argmax(x: Ref, axis: number, hint?: string): Ref {
    const a = normAxis(axis, x.shape.length);
    return this.add('argmax', [x], { axis: a }, x.shape.filter((_, i) => i !== a), 'int32', 0, hint);
  }
  oneHot(indices: Ref, depth: number, hint?: string): Ref {
    if (indices.dtype !== 'int32') fail('one_hot needs int32 indices');
    return this.add('one_hot', [indices], { depth }, [...indices.shape, depth], 'float32', 0, hint);
  }
  cumsum(x: Ref, axis: number, exclusive = false, hint?: string): Ref {
    return this.add('cumsum', [x], { axis: normAxis(axis, x.shape.length), exclusive }, x.shape, x.dtype, 0, hint);
  }

  sinkhornPlan(logits: Ref, iterations: number, hint?: string): Ref {
    if (logits.shape.length !== 3) fail('sinkhorn_plan needs [G,S,E] logits');
    return this.add('sinkhorn_plan', [logits], { iterations }, logits.shape, 'float32', 0, hint);
  }

  sparseOtPlan(probs: Ref, options: { iterations: number; capacity: number; lr: number; tol: number; gamma: number }, hint?: string): Ref {
    if (probs.shape.length !== 3) fail('sparse_ot_plan needs [G,S,E] probabilities');
    return this.add('sparse_ot_plan', [probs], { ...options }, probs.shape, 'float32', 0, hint);
  }

  // ------------------------------------------------------------ result

  /** The finished graph. `outputs` names nodes (by Ref or id); `logits` and `aux_loss` are required. */
  build(args: {
    model: string;
    compiler: string;
    source?: string;
    resolved?: ResolvedModel;
    vit?: VitInfo;
    outputs: Readonly<Record<string, Ref | string>> & { readonly logits: Ref; readonly aux_loss: Ref };
    blocks: readonly BlockInfo[];
  }): Graph {
    return {
      format: GRAPH_FORMAT,
      meta: {
        model: args.model,
        ...(args.source ? { source: args.source } : {}),
        compiler: args.compiler,
        ...(args.resolved ? { resolved: args.resolved } : {}),
      },
      ...(args.vit ? { vit: args.vit } : {}),
      inputs: [...this.inputs],
      params: [...this.params],
      nodes: [...this.nodes],
      outputs: Object.fromEntries(Object.entries(args.outputs).map(([name, ref]) => [name, typeof ref === 'string' ? ref : ref.id])),
      blocks: [...args.blocks],
    };
  }
}

// GraphBuilder: the one way lowering code creates op-graph nodes. Each node's
// output shape, dtype and FLOPs come from its op's definition (ops.ts `infer`,
// `flops`), which also rejects inputs that do not fit; the builder methods only
// normalise attributes (axes, dims) and record the current scope.
import type { AttrValue, BlockInfo, DType, Dim, Graph, GraphInput, OpKind, OpNode, ParamSpec, Shape, VitInfo } from './ir.ts';
import { GRAPH_FORMAT } from './ir.ts';
import type { ResolvedModel } from '../model.ts';
import { formatDim, parseDim } from './dims.ts';
import { inferNode, type InferEnv } from './ops.ts';
import { fail, normAxis } from './shapes.ts';

export { GraphShapeError, broadcastShapes } from './shapes.ts';

/** A reference to a node's output. */
export interface Ref {
  readonly id: string;
  readonly shape: Shape;
  readonly dtype: DType;
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

  private readonly env: InferEnv = {
    input: (name) => this.inputs.find((i) => i.name === name)?.shape,
    param: (name) => this.params.find((p) => p.name === name)?.shape,
  };

  /** Adds a node of `op`; its shape, dtype and FLOPs are the op definition's (ops.ts). */
  private add(op: OpKind, inputs: readonly Ref[], attrs: Record<string, AttrValue>, hint?: string): Ref {
    const { shape, dtype, flops } = inferNode(op, inputs, attrs, this.env);
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
    return this.add('input', [], { name }, name);
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
    const ref = this.add('param', [], { name: full }, name);
    this.paramRefs.set(full, ref);
    return ref;
  }

  /** The full parameter name a `param` node reads (for block descriptions). */
  paramName(ref: Ref): string {
    for (const [name, r] of this.paramRefs) if (r.id === ref.id) return name;
    return fail(`${ref.id} is not a parameter node`);
  }

  constant(value: number): Ref {
    return this.add('constant', [], { value });
  }

  // ------------------------------------------------------------ elementwise

  private binary(op: OpKind, a: Ref, b: Ref, hint?: string): Ref {
    return this.add(op, [a, b], {}, hint);
  }
  private unary(op: OpKind, x: Ref, hint?: string, attrs: Record<string, AttrValue> = {}): Ref {
    return this.add(op, [x], attrs, hint);
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
  stopGradient(x: Ref, hint?: string): Ref { return this.unary('stop_gradient', x, hint); }

  where(cond: Ref, a: Ref, b: Ref, hint?: string): Ref {
    return this.add('where', [cond, a, b], {}, hint);
  }

  cast(x: Ref, dtype: DType, hint?: string): Ref {
    return this.add('cast', [x], { dtype }, hint);
  }

  // ------------------------------------------------------------ shape

  reshape(x: Ref, shape: readonly Dim[], hint?: string): Ref {
    return this.add('reshape', [x], { shape: shape.map((d) => formatDim(parseDim(d))) }, hint);
  }

  transpose(x: Ref, perm: readonly number[], hint?: string): Ref {
    return this.add('transpose', [x], { perm: [...perm] }, hint);
  }

  slice(x: Ref, begin: readonly number[], size: readonly Dim[], hint?: string): Ref {
    return this.add('slice', [x], { begin: [...begin], size: [...size] }, hint);
  }

  concat(xs: readonly Ref[], axis: number, hint?: string): Ref {
    if (xs.length === 0) fail('concat of nothing');
    return this.add('concat', xs, { axis: normAxis(axis, xs[0].shape.length) }, hint);
  }

  broadcastTo(x: Ref, shape: readonly Dim[], hint?: string): Ref {
    return this.add('broadcast_to', [x], { shape: [...shape] }, hint);
  }

  // ------------------------------------------------------------ products

  /** Plain 2-D product [m,k]·[k,n]. */
  matmul(a: Ref, b: Ref, hint?: string): Ref {
    return this.add('matmul', [a, b], {}, hint);
  }

  batchMatmul(a: Ref, b: Ref, options: { transposeA?: boolean; transposeB?: boolean } = {}, hint?: string): Ref {
    return this.add('batch_matmul', [a, b], { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false }, hint);
  }

  /** x [E,n,k] · w [E,k,m] → [E,n,m] as one 2-D product per expert. */
  expertMatmul(x: Ref, w: Ref, hint?: string): Ref {
    return this.add('expert_matmul', [x, w], {}, hint);
  }

  // ------------------------------------------------------------ reductions

  private reduce(op: OpKind, x: Ref, axes: readonly number[], keepDims: boolean, hint?: string): Ref {
    return this.add(op, [x], { axes: axes.map((a) => normAxis(a, x.shape.length)), keepDims }, hint);
  }
  sum(x: Ref, axes: readonly number[], keepDims = false, hint?: string): Ref { return this.reduce('sum', x, axes, keepDims, hint); }
  mean(x: Ref, axes: readonly number[], keepDims = false, hint?: string): Ref { return this.reduce('mean', x, axes, keepDims, hint); }
  max(x: Ref, axes: readonly number[], keepDims = false, hint?: string): Ref { return this.reduce('max', x, axes, keepDims, hint); }
  min(x: Ref, axes: readonly number[], keepDims = false, hint?: string): Ref { return this.reduce('min', x, axes, keepDims, hint); }
  logsumexp(x: Ref, axis: number, keepDims = false, hint?: string): Ref {
    return this.add('logsumexp', [x], { axis: normAxis(axis, x.shape.length), keepDims }, hint);
  }

  // ------------------------------------------------------------ neural-network ops

  softmax(x: Ref, hint?: string): Ref { return this.unary('softmax', x, hint); }
  logSoftmax(x: Ref, hint?: string): Ref { return this.unary('log_softmax', x, hint); }

  layerNorm(x: Ref, scale: Ref, bias: Ref, epsilon = 1e-6, hint?: string): Ref {
    return this.add('layer_norm', [x, scale, bias], { epsilon }, hint);
  }

  dropout(x: Ref, rate: number, stream: string, hint?: string): Ref {
    return this.add('dropout', [x], { rate, stream }, hint);
  }

  addNoise(x: Ref, std: number, stream: string, hint?: string): Ref {
    return this.add('add_noise', [x], { std, stream }, hint);
  }

  // ------------------------------------------------------------ selection

  topKValues(x: Ref, k: number, hint?: string): Ref {
    return this.add('top_k_values', [x], { k }, hint);
  }
  topKIndices(x: Ref, k: number, hint?: string): Ref {
    return this.add('top_k_indices', [x], { k }, hint);
  }
  argmax(x: Ref, axis: number, hint?: string): Ref {
    return this.add('argmax', [x], { axis: normAxis(axis, x.shape.length) }, hint);
  }
  oneHot(indices: Ref, depth: number, hint?: string): Ref {
    return this.add('one_hot', [indices], { depth }, hint);
  }
  cumsum(x: Ref, axis: number, exclusive = false, hint?: string): Ref {
    return this.add('cumsum', [x], { axis: normAxis(axis, x.shape.length), exclusive }, hint);
  }

  sinkhornPlan(logits: Ref, iterations: number, hint?: string): Ref {
    return this.add('sinkhorn_plan', [logits], { iterations }, hint);
  }

  sparseOtPlan(probs: Ref, options: { iterations: number; capacity: number; lr: number; tol: number; gamma: number }, hint?: string): Ref {
    return this.add('sparse_ot_plan', [probs], { ...options }, hint);
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

// The executor: binds a Graph to tfjs variables and runs its nodes in order, one
// kernel per op kind (runtime/kernels). Everything that does not depend on the
// tensors (input indices, kernels, attrs, concrete shapes per batch size) is
// computed once, so a forward call is a tight loop over the nodes.
import * as tf from '@tensorflow/tfjs';
import type { AttrValue, Graph, OpNode } from '../../compiler/graph/ir.ts';
import { isStatOutput } from '../../compiler/graph/ir.ts';
import { concreteDim, parseDim } from '../../compiler/graph/dims.ts';
import type { CreateModelOptions, ForwardOptions, ForwardResult, GraphModel } from '../api.ts';
import type { Kernel, KernelContext } from '../kernels/types.ts';
import type { BoundKernels } from '../kernels/bind.ts';
import { activeProfile, kernelsFor, profileNamed } from '../backends/index.ts';
import type { BackendProfile } from '../backends/profile.ts';
import { initialValues } from './initializers.ts';
import { deriveSeed } from './random.ts';

/** A graph the runtime cannot run (missing kernel, unknown parameter, bad batch). */
export class GraphRuntimeError extends Error {}

type Source =
  | { readonly kind: 'input' }
  | { readonly kind: 'param'; readonly variable: tf.Variable }
  | { readonly kind: 'constant'; readonly tensor: tf.Tensor };

interface PlannedNode {
  readonly node: OpNode;
  readonly source?: Source;
  readonly kernel?: Kernel;
  readonly inputs: Int32Array;
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

interface BatchPlan {
  readonly shapes: readonly (readonly number[])[];
}

let modelCounter = 0;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The smallest batch multiple that makes every symbolic dimension whole. */
function batchMultiple(graph: Graph): number {
  let multiple = 1;
  for (const node of graph.nodes) {
    for (const d of node.shape) {
      if (typeof d !== 'string') continue;
      const r = parseDim(d);
      const den = r.den / gcd(r.num, r.den);
      multiple = (multiple * den) / gcd(multiple, den);
    }
  }
  return multiple;
}

/** Fails before any variable is created if a node has no kernel or reads an undeclared parameter. */
function checkRunnable(graph: Graph, kernels: BoundKernels): void {
  const params = new Set(graph.params.map((p) => p.name));
  for (const node of graph.nodes) {
    if (node.op === 'input' || node.op === 'constant') continue;
    if (node.op === 'param') {
      if (!params.has(String(node.attrs.name))) {
        throw new GraphRuntimeError(`node ${node.id} reads parameter ${String(node.attrs.name)}, which the graph does not declare`);
      }
    } else if (!kernels.has(node.op)) {
      throw new GraphRuntimeError(`kernel not available for op '${node.op}' (node ${node.id}): this runtime has no kernel for it`);
    }
  }
}

/** Mutable context reused for every node of one forward call (no per-node allocation). */
export class ExecutionContext implements KernelContext {
  node!: OpNode;
  outputShape: readonly number[] = [];
  constructor(
    readonly training: boolean,
    readonly step: number,
    readonly seed: number,
    readonly batch: number,
  ) {}
  concrete(shape: readonly (number | string)[]): number[] {
    return shape.map((d) => concreteDim(d, this.batch));
  }
  randomSeed(stream: string): number {
    return deriveSeed(this.seed, 'stream', stream, this.step);
  }
}

class ExecutableGraph implements GraphModel {
  readonly variables: Map<string, tf.Variable>;
  private readonly plan: PlannedNode[];
  private readonly outputIndex: { logits: number; auxLoss: number; stats: [string, number][]; named: Map<string, number> };
  private readonly batchPlans = new Map<number, BatchPlan>();
  private readonly batchMultiple: number;
  private readonly imageShape: readonly number[];
  private readonly cachedSet = new Set<tf.Tensor>();
  private disposed = false;

  constructor(
    readonly graph: Graph,
    private readonly seed: number,
    /** The profile's kernels with gradient classes applied, bound once here (plan time). */
    private readonly kernels: BoundKernels,
  ) {
    checkRunnable(graph, kernels);
    const id = ++modelCounter;
    this.variables = new Map();
    for (const spec of graph.params) {
      if (this.variables.has(spec.name)) throw new GraphRuntimeError(`parameter ${spec.name} is declared twice`);
      const values = initialValues(spec, seed);
      const initial = tf.tensor(values, [...spec.shape], 'float32');
      // tfjs variable names are process-global: prefix a per-model id.
      this.variables.set(spec.name, tf.variable(initial, spec.trainable, `moec${id}/${spec.name}`));
      initial.dispose();
    }

    const index = new Map<string, number>();
    this.plan = graph.nodes.map((node, i) => {
      if (index.has(node.id)) throw new GraphRuntimeError(`node id ${node.id} appears twice`);
      const inputs = Int32Array.from(node.inputs, (name) => {
        const at = index.get(name);
        if (at === undefined) throw new GraphRuntimeError(`node ${node.id} reads ${name}, which is not defined before it`);
        return at;
      });
      index.set(node.id, i);
      return { node, inputs, attrs: node.attrs, ...this.bind(node) };
    });

    const lookup = (name: string, what: string): number => {
      const at = index.get(name);
      if (at === undefined) throw new GraphRuntimeError(`${what} refers to node ${name}, which the graph does not define`);
      return at;
    };
    const named = new Map(Object.entries(graph.outputs).map(([name, id]) => [name, lookup(id, `output ${name}`)]));
    const stats = [...named].filter(([name]) => isStatOutput(name));
    const required = (name: string): number => {
      const at = named.get(name);
      if (at === undefined) throw new GraphRuntimeError(`the graph has no output '${name}'`);
      return at;
    };
    this.outputIndex = { logits: required('logits'), auxLoss: required('aux_loss'), stats, named };

    const input = graph.inputs[0];
    if (!input) throw new GraphRuntimeError('the graph has no input');
    this.imageShape = input.shape.slice(1).map((d) => (typeof d === 'number' ? d : NaN));
    this.batchMultiple = batchMultiple(graph);
  }

  private bind(node: OpNode): { source?: Source; kernel?: Kernel } {
    switch (node.op) {
      case 'input':
        return { source: { kind: 'input' } };
      case 'param': {
        const variable = this.variables.get(String(node.attrs.name));
        if (!variable) throw new GraphRuntimeError(`node ${node.id} reads parameter ${String(node.attrs.name)}, which the graph does not declare`);
        return { source: { kind: 'param', variable } };
      }
      case 'constant': {
        const tensor = tf.keep(tf.scalar(Number(node.attrs.value), 'float32'));
        this.cachedSet.add(tensor);
        return { source: { kind: 'constant', tensor } };
      }
      default: {
        const kernel = this.kernels.get(node.op);
        if (!kernel) {
          throw new GraphRuntimeError(
            `kernel not available for op '${node.op}' (node ${node.id}); this runtime does not implement it yet`,
          );
        }
        return { kernel };
      }
    }
  }

  private batchPlan(batch: number): BatchPlan {
    let plan = this.batchPlans.get(batch);
    if (plan) return plan;
    if (!Number.isInteger(batch) || batch < 1 || batch % this.batchMultiple !== 0) {
      throw new GraphRuntimeError(
        `batch ${batch} does not fit model ${this.graph.meta.model}: the graph needs a batch that is a multiple of ${this.batchMultiple}` +
          ' (e.g. a routing group must divide the tokens of a batch)',
      );
    }
    plan = { shapes: this.graph.nodes.map((node) => node.shape.map((d) => concreteDim(d, batch))) };
    this.batchPlans.set(batch, plan);
    return plan;
  }

  forward(images: tf.Tensor4D, options: ForwardOptions): ForwardResult {
    if (this.disposed) throw new GraphRuntimeError('forward() on a disposed model');
    const [batch, ...rest] = images.shape;
    if (rest.length !== this.imageShape.length || rest.some((d, i) => d !== this.imageShape[i])) {
      throw new GraphRuntimeError(
        `images of shape [${images.shape.join(', ')}] do not fit model ${this.graph.meta.model}, which takes [batch, ${this.imageShape.join(', ')}]`,
      );
    }
    const requested = (options.outputs ?? []).map((name): [string, number] => {
      const at = this.outputIndex.named.get(name);
      if (at === undefined) {
        throw new GraphRuntimeError(`model ${this.graph.meta.model} has no output '${name}' (outputs: ${[...this.outputIndex.named.keys()].join(', ')})`);
      }
      return [name, at];
    });
    const { shapes } = this.batchPlan(batch);
    const ctx = new ExecutionContext(options.training, options.step, this.seed, batch);
    const plan = this.plan;
    const { logits, auxLoss, stats } = this.outputIndex;

    const result = tf.tidy(() => {
      const values: tf.Tensor[] = new Array(plan.length);
      const args: tf.Tensor[] = [];
      for (let i = 0; i < plan.length; i++) {
        const p = plan[i];
        if (p.source) {
          values[i] = p.source.kind === 'input' ? images : p.source.kind === 'param' ? p.source.variable : p.source.tensor;
          continue;
        }
        args.length = p.inputs.length;
        for (let j = 0; j < p.inputs.length; j++) args[j] = values[p.inputs[j]];
        ctx.node = p.node;
        ctx.outputShape = shapes[i];
        values[i] = p.kernel!(args, p.attrs, ctx);
      }
      // Sources are owned by the model (or the caller): hand out copies the caller may dispose.
      // (A kernel may also pass a source through unchanged, e.g. dropout in evaluation.)
      // A tensor handed out twice (an output named twice, a stat also requested) is copied too.
      const handedOut = new Set<tf.Tensor>();
      const own = (i: number): tf.Tensor => {
        const t = values[i];
        const copy = t === images || t instanceof tf.Variable || this.cachedSet.has(t) || handedOut.has(t);
        handedOut.add(t);
        return copy ? tf.clone(t) : t;
      };
      const out: Record<string, tf.Tensor> = { '\u0000logits': own(logits), '\u0000auxLoss': own(auxLoss) };
      for (const [key, i] of stats) out[`stat:${key}`] = own(i);
      for (const [key, i] of requested) out[`out:${key}`] = own(i);
      return out;
    });

    const statMap = new Map<string, tf.Tensor>();
    for (const [key] of stats) statMap.set(key, result[`stat:${key}`]);
    const outputs = new Map<string, tf.Tensor>();
    for (const [key] of requested) outputs.set(key, result[`out:${key}`]);
    return { logits: result['\u0000logits'] as tf.Tensor2D, auxLoss: result['\u0000auxLoss'] as tf.Scalar, stats: statMap, outputs };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.variables.values()) v.dispose();
    for (const t of this.cachedSet) t.dispose();
  }
}

function profileOf(backend: CreateModelOptions['backend']): BackendProfile {
  if (backend === undefined) return activeProfile();
  if (typeof backend !== 'string') return backend;
  const profile = profileNamed(backend);
  if (!profile) throw new GraphRuntimeError(`no backend profile '${backend}'`);
  return profile;
}

/**
 * Binds a graph to freshly initialised variables (seeded by `options.seed`) and to
 * the kernels of a backend profile: `{...BASE_KERNELS, ...profile.kernels}`, each
 * `grad: 'none'` op kept off the tape (runtime/kernels/bind.ts).
 */
export function createGraphModel(graph: Graph, options: CreateModelOptions): GraphModel {
  return new ExecutableGraph(graph, options.seed, kernelsFor(profileOf(options.backend)));
}

// From an op graph and its weights to an ONNX ModelProto: the inference part of
// the graph (the nodes that `logits` — and with `routing`, each MoE block's
// dispatch and combine — depend on; aux losses and statistics are left out),
// one emitter per op kind (emit/), weights as initialisers.
//
//   input   images  float32 [N, H, W, C]   (N = "N" when the batch is dynamic)
//   output  logits  float32 [N, classes]
//           block_<i>/dispatch, block_<i>/combine  float32 [G, S, E, C]  (routing)
import { blockOutput, type Dim, type Graph, type OpNode, type Shape } from '../../compiler/graph/ir.ts';
import { batchMultipleOf, concreteDim, parseDim } from '../../compiler/graph/dims.ts';
import { irVersionFor, onnx } from './proto.ts';
import { NameSource, OnnxGraph, valueInfo, type Attr } from './onnx-graph.ts';
import type { EmitContext, Value } from './emit/context.ts';
import { emitters } from './emit/index.ts';
import { OnnxExportError } from './errors.ts';

export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
export const DEFAULT_OPSET = 17;
/** Protobuf messages stop at 2 GiB; leave room for the graph itself. */
const PROTOBUF_LIMIT = 2 ** 31 - 2 ** 24;

export type WeightMap = ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;

export interface OnnxExportOptions {
  /** ONNX opset of the default domain (13–21, default 17). */
  readonly opset?: number;
  /** A fixed batch size, or 'dynamic' (default): the input's first dimension is the symbol N. */
  readonly batch?: number | 'dynamic';
  /** Also output every MoE block's dispatch and combine tensors. */
  readonly routing?: boolean;
  /** Written into the model's producer_version. */
  readonly producerVersion?: string;
}

export interface OnnxExport {
  readonly bytes: Uint8Array;
  readonly inputs: readonly { readonly name: string; readonly shape: readonly (number | string)[] }[];
  readonly outputs: readonly { readonly name: string; readonly shape: readonly (number | string)[] }[];
  /** Nodes of the op graph that were exported. */
  readonly nodes: number;
  /** The batch must be a multiple of this (a routing group spanning images). */
  readonly batchMultiple: number;
}

/** Each MoE block's dispatch and combine outputs (graph v2 named outputs `block_<i>/dispatch|combine`). */
export function routingNodes(graph: Graph): { name: string; node: string }[] {
  const out: { name: string; node: string }[] = [];
  for (const block of graph.blocks) {
    if (block.kind !== 'moe') continue;
    for (const what of ['dispatch', 'combine']) {
      const key = blockOutput(block.index, what);
      const id = graph.outputs[key];
      if (!id) throw new OnnxExportError('MOE0601', `block ${block.index}: the graph has no output ${key} to export as a routing output`, 'recompile the graph with this moec version, or export without --routing');
      out.push({ name: key, node: id });
    }
  }
  return out;
}

// One rule for the batch multiple, shared with the executor (compiler/graph/dims.ts).
export { batchMultipleOf };

/** The nodes `targets` depend on, in graph order. */
function ancestors(graph: Graph, targets: readonly string[]): OpNode[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const needed = new Set<string>();
  const stack = [...targets];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    const node = byId.get(id);
    if (!node) throw new OnnxExportError('MOE0601', `the graph refers to node ${id}, which it does not define`);
    needed.add(id);
    stack.push(...node.inputs);
  }
  return graph.nodes.filter((n) => needed.has(n.id));
}

function checkWeights(graph: Graph, weights: WeightMap, used: ReadonlySet<string>): void {
  for (const p of graph.params) {
    if (!used.has(p.name)) continue;
    const w = weights.get(p.name);
    if (!w) throw new OnnxExportError('MOE0604', `the weights have no tensor '${p.name}' that the graph needs`, 'export with the checkpoint of a run of this spec');
    if (w.shape.length !== p.shape.length || w.shape.some((d, i) => d !== p.shape[i]))
      throw new OnnxExportError('MOE0604', `tensor '${p.name}' has shape [${w.shape.join(', ')}] in the weights but [${p.shape.join(', ')}] in the graph`, 'the checkpoint was written for a different model');
    if (w.data.length !== p.shape.reduce((a, b) => a * b, 1)) throw new OnnxExportError('MOE0604', `tensor '${p.name}' holds ${w.data.length} values, its shape needs ${p.shape.reduce((a, b) => a * b, 1)}`);
  }
  const declared = new Set(graph.params.map((p) => p.name));
  for (const name of weights.keys())
    if (!declared.has(name)) throw new OnnxExportError('MOE0604', `the weights hold tensor '${name}' that the graph does not have`, 'the checkpoint was written for a different model');
}

/** A dimension's name in the ONNX signature: a number, or e.g. "N*16/8" for a dynamic batch. */
function signatureDim(d: Dim, batch: number | 'dynamic'): number | string {
  if (typeof d === 'number') return d;
  if (batch !== 'dynamic') return concreteDim(d, batch);
  return d.replace(/^B/, 'N');
}

export function exportOnnx(graph: Graph, weights: WeightMap, options: OnnxExportOptions = {}): OnnxExport {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET)
    throw new OnnxExportError('MOE0602', `--opset ${opset} is not supported: the exporter writes opsets ${MIN_OPSET} to ${MAX_OPSET}`, `use --opset ${DEFAULT_OPSET} (the default)`);
  const batch = options.batch ?? 'dynamic';
  const multiple = batchMultipleOf(graph);
  if (batch !== 'dynamic') {
    if (!Number.isInteger(batch) || batch < 1) throw new OnnxExportError('MOE0602', `--batch must be a positive integer or 'dynamic', got ${String(batch)}`);
    if (batch % multiple !== 0)
      throw new OnnxExportError('MOE0603', `batch ${batch} does not fit model ${graph.meta.model}: the graph needs a batch that is a multiple of ${multiple} (a routing group spans several images)`, `use --batch ${multiple * Math.max(1, Math.round(batch / multiple))} or --batch dynamic`);
  }
  const input = graph.inputs[0];
  if (!input) throw new OnnxExportError('MOE0601', 'the graph has no input');

  const routing = options.routing ? routingNodes(graph) : [];
  const logits = graph.outputs.logits;
  if (!logits) throw new OnnxExportError('MOE0601', 'the graph has no `logits` output');
  const outputs = [{ name: 'logits', node: logits }, ...routing];
  const nodes = ancestors(graph, outputs.map((o) => o.node));
  const usedParams = new Set(nodes.filter((n) => n.op === 'param').map((n) => String(n.attrs.name)));
  checkWeights(graph, weights, usedParams);
  const weightBytes = [...usedParams].reduce((a, n) => a + weights.get(n)!.data.length * 4, 0);
  if (weightBytes >= PROTOBUF_LIMIT)
    throw new OnnxExportError('MOE0609', `the weights of ${graph.meta.model} take ${(weightBytes / 2 ** 30).toFixed(2)} GiB; one ONNX file holds at most 2 GiB (the protobuf limit), and this exporter does not write external data files`, 'export a model with fewer experts or a smaller width');

  const shapes = new Map(graph.nodes.map((n) => [n.id, n.shape]));
  const table = emitters(shapes);
  const names = new NameSource();
  for (const o of outputs) names.reserve(o.name);
  names.reserve(input.name);
  const g = new OnnxGraph(names);
  const values = new Map<string, Value>();
  const paramValues = new Map<string, Value>();
  let batchVector: string | undefined;
  let current: OpNode | undefined;

  const batchDim = (): string => {
    batchVector ??= g.op('Slice', [g.op('Shape', [input.name], {}, 'images/shape'), g.int64s([0]), g.int64s([1])], {}, 'images/batch');
    return batchVector;
  };
  const staticDim = (d: Dim): number | undefined => (typeof d === 'number' ? d : batch === 'dynamic' ? undefined : concreteDim(d, batch));
  const ctx: EmitContext = {
    g,
    opset,
    input: () => ({ name: input.name, dtype: 'float32' }),
    param: (name) => {
      let v = paramValues.get(name);
      if (!v) {
        const w = weights.get(name)!;
        v = { name: g.weight(name, w.shape, w.data), dtype: 'float32' };
        paramValues.set(name, v);
      }
      return v;
    },
    staticDim,
    shape: (shape: Shape, reshape: boolean) => {
      const fixed = shape.map(staticDim);
      if (fixed.every((d) => d !== undefined)) return g.int64s(fixed as number[]);
      if (reshape && fixed.filter((d) => d === undefined).length === 1) return g.int64s(fixed.map((d) => d ?? -1));
      // Several batch-dependent dimensions: compute each from the input's batch size.
      const parts = shape.map((d, i) => {
        const known = fixed[i];
        if (known !== undefined) return g.int64s([known]);
        const r = parseDim(d);
        const scaled = r.num === 1 ? batchDim() : g.op('Mul', [batchDim(), g.int64s([r.num])], {}, 'batch_scaled');
        return r.den === 1 ? scaled : g.op('Div', [scaled, g.int64s([r.den])], {}, 'batch_divided');
      });
      return g.op('Concat', parts, { axis: { i: 0 } }, 'shape');
    },
    reduce: (type, x, axes, keepDims, hint) => {
      const keep: Record<string, Attr> = { keepdims: { i: keepDims ? 1 : 0 } };
      if (opset >= 18 || type === 'ReduceSum') return g.op(type, axes ? [x, g.int64s(axes)] : [x], keep, hint);
      return g.op(type, [x], { ...keep, ...(axes ? { axes: { ints: axes } } : {}) }, hint);
    },
    unsqueeze: (x, axes, hint) => g.op('Unsqueeze', [x, g.int64s(axes)], {}, hint),
    unsupported: (why) => {
      const node = current;
      throw new OnnxExportError('MOE0601', `cannot export node ${node?.id ?? '?'} (${node?.op ?? '?'}${node?.scope ? `, in ${node.scope}` : ''}) to ONNX: ${why}`);
    },
  };

  for (const node of nodes) {
    current = node;
    const emit = (table as Record<string, (typeof table)[keyof typeof table] | undefined>)[node.op];
    if (!emit) ctx.unsupported(`op '${node.op}' has no ONNX emitter`);
    const inputs = node.inputs.map((id) => values.get(id)!);
    values.set(node.id, emit(node, inputs, ctx));
  }

  const signature = (shape: Shape) => shape.map((d) => signatureDim(d, batch));
  const outputInfos = outputs.map((o) => {
    const node = graph.nodes.find((n) => n.id === o.node)!;
    const value = values.get(o.node)!;
    const f = value.dtype === 'float32' ? value.name : g.op('Cast', [value.name], { to: { i: 1 } }, `${o.name}/float`);
    g.addNode('Identity', [f], [o.name], {}, o.name);
    return { name: o.name, shape: signature(node.shape) };
  });
  const inputShape = signature(input.shape);
  const graphProto = g.toProto(
    graph.meta.model,
    [valueInfo(input.name, 'float32', inputShape)],
    outputInfos.map((o) => valueInfo(o.name, 'float32', o.shape)),
    true,
  );
  const model = onnx.ModelProto.create({
    irVersion: irVersionFor(opset),
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'moec',
    producerVersion: options.producerVersion ?? graph.meta.compiler,
    docString: `moec model ${graph.meta.model}${graph.meta.source ? ` (${graph.meta.source})` : ''}`,
    graph: graphProto,
    metadataProps: [
      { key: 'moec.model', value: graph.meta.model },
      { key: 'moec.batch_multiple', value: String(multiple) },
      { key: 'moec.classes', value: String(graph.nodes.find((n) => n.id === logits)!.shape[1]) },
    ],
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  return { bytes, inputs: [{ name: input.name, shape: inputShape }], outputs: outputInfos, nodes: nodes.length, batchMultiple: multiple };
}

// What an emitter sees: the ONNX graph under construction, the values of the
// node's inputs, and helpers for shapes and reductions that depend on the
// opset and on whether the batch is fixed or dynamic.
import type { OpKind, OpNode, Shape } from '../../../compiler/graph/ir.ts';
import type { Attr, ElemType, OnnxGraph } from '../onnx-graph.ts';

/** An ONNX value standing for a graph node's output, with its actual element type. */
export interface Value {
  readonly name: string;
  readonly dtype: ElemType;
}

export interface EmitContext {
  readonly g: OnnxGraph;
  readonly opset: number;
  /** The model's image input. */
  input(): Value;
  /** The initialiser of a model weight. */
  param(name: string): Value;
  /** An int64 shape tensor for a graph shape; `reshape` allows one -1 for the batch-dependent dim. */
  shape(shape: Shape, reshape: boolean): string;
  /** A concrete dimension when the batch is fixed or the dim has no B; undefined otherwise. */
  staticDim(dim: Shape[number]): number | undefined;
  /** A reduction over axes (axes as attribute or input depending on opset). */
  reduce(type: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin', x: string, axes: readonly number[] | undefined, keepDims: boolean, hint: string): string;
  unsqueeze(x: string, axes: readonly number[], hint: string): string;
  /** Throws the exporter's error naming the node: the op cannot be expressed. */
  unsupported(why: string): never;
}

export type Emit = (node: OpNode, inputs: readonly Value[], ctx: EmitContext) => Value;

export type EmitTable<K extends OpKind = OpKind> = Readonly<Record<K, Emit>>;

export function asFloat(ctx: EmitContext, v: Value, hint: string): Value {
  if (v.dtype === 'float32') return v;
  return { name: ctx.g.op('Cast', [v.name], { to: { i: 1 } }, `${hint}/to_float`), dtype: 'float32' };
}

export function cast(ctx: EmitContext, v: Value, to: ElemType, hint: string): Value {
  if (v.dtype === to) return v;
  const codes: Record<ElemType, number> = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 };
  return { name: ctx.g.op('Cast', [v.name], { to: { i: codes[to] } }, `${hint}/cast`), dtype: to };
}

export function op(ctx: EmitContext, type: string, inputs: readonly string[], node: OpNode, attrs: Readonly<Record<string, Attr>> = {}, dtype: ElemType = 'float32'): Value {
  return { name: ctx.g.op(type, inputs, attrs, node.id), dtype };
}

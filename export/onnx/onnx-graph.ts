// A small builder for one ONNX graph (the model or a Loop body): nodes in
// order, initialisers, and unique value names. Tensors are written as raw
// little-endian bytes (int64 through BigInt64Array, so no Long is needed).
import { AttributeType, DataType, onnx, type OnnxTypes } from './proto.ts';

/** Element types the exporter writes. */
export type ElemType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

export const ELEM_TYPE: Readonly<Record<ElemType, number>> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int32: DataType.INT32,
  int64: DataType.INT64,
  bool: DataType.BOOL,
};

/** An attribute value, tagged with its ONNX type. */
export type Attr =
  | { readonly i: number }
  | { readonly f: number }
  | { readonly s: string }
  | { readonly ints: readonly number[] }
  | { readonly t: OnnxTypes.ITensorProto }
  | { readonly g: OnnxTypes.IGraphProto };

function attribute(name: string, value: Attr): OnnxTypes.IAttributeProto {
  if ('i' in value) return { name, type: AttributeType.INT, i: value.i };
  if ('f' in value) return { name, type: AttributeType.FLOAT, f: value.f };
  if ('s' in value) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.s) };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  if ('t' in value) return { name, type: AttributeType.TENSOR, t: value.t };
  return { name, type: AttributeType.GRAPH, g: value.g };
}

function rawBytes(type: ElemType, values: ArrayLike<number>): Uint8Array {
  switch (type) {
    case 'float32':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'float64':
      return new Uint8Array(Float64Array.from(values).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'int64':
      return new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }
}

/** A tensor proto with raw data (float32 data is written without a copy when aligned). */
export function tensorProto(name: string, type: ElemType, dims: readonly number[], values: ArrayLike<number>): OnnxTypes.ITensorProto {
  const raw =
    type === 'float32' && values instanceof Float32Array
      ? new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
      : rawBytes(type, values);
  return { name, dataType: ELEM_TYPE[type], dims: [...dims], rawData: raw };
}

/** A value's type: element type and shape (numbers, or names for symbolic dimensions; undefined: rank unknown). */
export function valueInfo(name: string, type: ElemType, shape?: readonly (number | string)[]): OnnxTypes.IValueInfoProto {
  const tensorType: OnnxTypes.TypeProto.ITensor = { elemType: ELEM_TYPE[type] };
  if (shape) tensorType.shape = { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType } };
}

/** Unique value names shared by a graph and its subgraphs (names are visible across scopes). */
export class NameSource {
  private readonly used = new Set<string>();
  fresh(base: string): string {
    let name = base;
    for (let n = 1; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }
  reserve(name: string): void {
    this.used.add(name);
  }
}

export class OnnxGraph {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  /** Initialisers always live in the top-level graph; subgraphs see them as outer-scope values. */
  readonly initializers: OnnxTypes.ITensorProto[];
  private readonly constants: Map<string, string>;

  constructor(
    readonly names: NameSource,
    parent?: OnnxGraph,
  ) {
    this.initializers = parent ? parent.initializers : [];
    this.constants = parent ? parent.constants : new Map();
  }

  /** A subgraph (Loop body) sharing names, initialisers and constants with this graph. */
  subgraph(): OnnxGraph {
    return new OnnxGraph(this.names, this);
  }

  /** Adds a node with one output; returns the output's name. */
  op(type: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, hint = type): string {
    return this.opN(type, inputs, 1, attrs, hint)[0]!;
  }

  /** Adds a node with `outputs` outputs. */
  opN(type: string, inputs: readonly string[], outputs: number, attrs: Readonly<Record<string, Attr>> = {}, hint = type): string[] {
    const names = Array.from({ length: outputs }, (_, i) => this.names.fresh(outputs === 1 ? hint : `${hint}:${i}`));
    this.addNode(type, inputs, names, attrs, hint);
    return names;
  }

  /** Adds a node whose output names are given. */
  addNode(type: string, inputs: readonly string[], outputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, hint = type): void {
    this.nodes.push({
      name: this.names.fresh(`${hint}#${type}`),
      opType: type,
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
  }

  /** An initialiser holding `values` (deduplicated for small constants). */
  constant(type: ElemType, dims: readonly number[], values: ArrayLike<number>, hint = 'const'): string {
    const small = values.length <= 16;
    const key = small ? `${type}|${dims.join(',')}|${Array.from(values).join(',')}` : '';
    if (small) {
      const known = this.constants.get(key);
      if (known) return known;
    }
    const name = this.names.fresh(hint);
    this.initializers.push(tensorProto(name, type, dims, values));
    if (small) this.constants.set(key, name);
    return name;
  }

  scalar(type: ElemType, value: number): string {
    return this.constant(type, [], [value], `${type === 'float32' ? 'f' : type === 'float64' ? 'd' : 'i'}_${value}`);
  }

  int64s(values: readonly number[]): string {
    return this.constant('int64', [values.length], values, `i64_${values.join('_')}`);
  }

  /** Adds a named initialiser (a model weight). */
  weight(name: string, dims: readonly number[], data: Float32Array): string {
    this.names.reserve(name);
    this.initializers.push(tensorProto(name, 'float32', dims, data));
    return name;
  }

  toProto(name: string, inputs: OnnxTypes.IValueInfoProto[], outputs: OnnxTypes.IValueInfoProto[], withInitializers: boolean): OnnxTypes.IGraphProto {
    return onnx.GraphProto.create({
      name,
      node: this.nodes,
      input: inputs,
      output: outputs,
      initializer: withInitializers ? this.initializers : [],
    });
  }
}

// moec parameter names and shapes ↔ vmoe's (google-research/vmoe, `VisionTransformerMoe`
// in vmoe/nn/vit_moe.py): flax module paths joined by "/", as vit_jax's checkpoint
// loader reads them for vmoe's `initialize_from_vit`. Every moec parameter is
// viewed as a matrix [rows, columns] (columns = its last axis); each vmoe leaf
// is a contiguous range of those columns, reshaped. That covers all of it:
// plain reshapes (patch kernel, position table, expert biases) and the split
// of the fused qkv projection into flax's query/key/value [d, heads, head_dim].
import type { Graph, ParamSpec, VitInfo } from '../../compiler/graph/ir.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';

export interface VmoeLeaf {
  /** vmoe name, e.g. `Encoder/encoderblock_0/SelfAttention/query/kernel`. */
  readonly name: string;
  readonly shape: readonly number[];
  /** The columns of the moec parameter it holds: [first, count]. */
  readonly columns: readonly [number, number];
}

export interface ParamMapping {
  /** moec parameter name, e.g. `block_0/attention/qkv/kernel`. */
  readonly moec: string;
  readonly moecShape: readonly number[];
  /** Empty for a fixed table vmoe computes itself (sincos position embedding). */
  readonly leaves: readonly VmoeLeaf[];
}

const whole = (name: string, shape: readonly number[], p: ParamSpec): VmoeLeaf => ({ name, shape, columns: [0, lastDim(p.shape)] });

function lastDim(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1]!;
}

const BLOCK_NAMES: Record<string, string> = {
  'ln1/scale': 'LayerNorm_0/scale',
  'ln1/bias': 'LayerNorm_0/bias',
  'ln2/scale': 'LayerNorm_1/scale',
  'ln2/bias': 'LayerNorm_1/bias',
  'attention/out/bias': 'SelfAttention/out/bias',
  'mlp/w1': 'Mlp/Dense_0/kernel',
  'mlp/b1': 'Mlp/Dense_0/bias',
  'mlp/w2': 'Mlp/Dense_1/kernel',
  'mlp/b2': 'Mlp/Dense_1/bias',
  'moe/router/kernel': 'Moe/Router/dense/kernel',
  'moe/router/mu': 'Moe/Router/mu',
  'moe/router/scale': 'Moe/Router/scale',
};

const EXPERT_NAMES: Record<string, string> = { w1: 'Dense_0/kernel', b1: 'Dense_0/bias', w2: 'Dense_1/kernel', b2: 'Dense_1/bias' };

/** The vmoe leaves of one moec parameter, or undefined when vmoe has no such parameter. */
function mapParam(p: ParamSpec, m: VitInfo): readonly VmoeLeaf[] | undefined {
  const d = m.width;
  const H = m.heads;
  const hd = d / H;
  switch (p.name) {
    case 'embedding/kernel':
      return [whole('embedding/kernel', [m.patch[0], m.patch[1], m.image[2], d], p)];
    case 'embedding/bias':
      return [whole('embedding/bias', [d], p)];
    case 'cls':
      return [whole('cls', [1, 1, d], p)];
    case 'posemb':
      return m.posemb === 'sincos2d' ? [] : [whole('Encoder/posembed_input/pos_embedding', [1, m.tokens, d], p)];
    case 'encoder_norm/scale':
    case 'encoder_norm/bias':
    case 'head/kernel':
    case 'head/bias':
      return [whole(p.name.startsWith('head') ? p.name : `Encoder/${p.name}`, p.shape, p)];
  }
  const block = /^block_(\d+)\/(.+)$/.exec(p.name);
  if (!block) return undefined;
  const prefix = `Encoder/encoderblock_${block[1]}`;
  const rest = block[2]!;
  if (rest === 'attention/qkv/kernel' || rest === 'attention/qkv/bias') {
    const kernel = rest.endsWith('kernel');
    return ['query', 'key', 'value'].map((part, i) => ({
      name: `${prefix}/SelfAttention/${part}/${kernel ? 'kernel' : 'bias'}`,
      shape: kernel ? [d, H, hd] : [H, hd],
      columns: [i * d, d] as const,
    }));
  }
  if (rest === 'attention/out/kernel') return [whole(`${prefix}/SelfAttention/out/kernel`, [H, hd, d], p)];
  const expert = /^moe\/experts\/(w1|b1|w2|b2)$/.exec(rest);
  if (expert) {
    const [E, a, b] = p.shape as [number, number, number];
    const shape = expert[1]!.startsWith('b') ? [E, b] : [E, a, b];
    return [whole(`${prefix}/Moe/Mlp/${EXPERT_NAMES[expert[1]!]}`, shape, p)];
  }
  const name = BLOCK_NAMES[rest];
  return name ? [whole(`${prefix}/${name}`, p.shape, p)] : undefined;
}

/** The mapping of every parameter of a graph; refuses a parameter vmoe has no place for. */
export function vmoeLayout(graph: Graph): readonly ParamMapping[] {
  const m = graph.vit;
  if (!m) throw new RuntimeFault('MOE0642', `graph ${graph.meta.model} is not a whole ViT (no \`vit\` dimensions): vmoe's VisionTransformerMoe cannot hold it`);
  return graph.params.map((p) => {
    const leaves = mapParam(p, m);
    if (!leaves) throw new RuntimeFault('MOE0642', `model ${graph.meta.model}: parameter '${p.name}' has no counterpart in vmoe's VisionTransformerMoe`);
    return { moec: p.name, moecShape: p.shape, leaves };
  });
}

/** vmoe name → expected shape, for every leaf of the layout. */
export function vmoeShapes(layout: readonly ParamMapping[]): ReadonlyMap<string, readonly number[]> {
  return new Map(layout.flatMap((p) => p.leaves.map((l) => [l.name, l.shape] as const)));
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Copies the columns [first, first+n) of `data` viewed as [rows, cols]. */
export function takeColumns(data: Float32Array, cols: number, first: number, n: number): Float32Array {
  if (first === 0 && n === cols) return data.slice();
  const rows = data.length / cols;
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols + first, r * cols + first + n), r * n);
  return out;
}

/** Writes `part` into the columns [first, first+n) of `target` viewed as [rows, cols]. */
export function putColumns(target: Float32Array, cols: number, first: number, n: number, part: Float32Array): void {
  const rows = target.length / cols;
  for (let r = 0; r < rows; r++) target.set(part.subarray(r * n, (r + 1) * n), r * cols + first);
}

export interface Weight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** moec weights → vmoe leaves (name → shape and data). Every mapped parameter must be present with its shape. */
export function toVmoeArrays(layout: readonly ParamMapping[], weights: ReadonlyMap<string, Weight>): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const p of layout) {
    if (p.leaves.length === 0) continue;
    const w = weights.get(p.moec);
    if (!w) throw new RuntimeFault('MOE0509', `the checkpoint has no parameter '${p.moec}' that the model needs`);
    if (count(w.shape) !== count(p.moecShape) || w.data.length !== count(p.moecShape))
      throw new RuntimeFault('MOE0509', `tensor '${p.moec}' has shape [${w.shape.join(', ')}] in the checkpoint but [${p.moecShape.join(', ')}] in the model`);
    const cols = lastDim(p.moecShape);
    for (const l of p.leaves) out.set(l.name, { shape: l.shape, data: takeColumns(w.data, cols, l.columns[0], l.columns[1]) });
  }
  return out;
}

/** vmoe leaves → moec parameters, for the parameters whose leaves are all in `arrays` (shapes already checked by the reader). */
export function fromVmoeArrays(layout: readonly ParamMapping[], arrays: ReadonlyMap<string, Weight>): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const p of layout) {
    if (p.leaves.length === 0 || !p.leaves.every((l) => arrays.has(l.name))) continue;
    const data = new Float32Array(count(p.moecShape));
    const cols = lastDim(p.moecShape);
    for (const l of p.leaves) putColumns(data, cols, l.columns[0], l.columns[1], arrays.get(l.name)!.data);
    out.set(p.moec, { shape: p.moecShape, data });
  }
  return out;
}

/** Parameters vmoe's model holds (the sincos table is computed, not stored). */
export function vmoeParamCount(layout: readonly ParamMapping[]): number {
  return layout.reduce((a, p) => a + p.leaves.reduce((b, l) => b + count(l.shape), 0), 0);
}

// Reading a vmoe-layout, vit_jax or big_vision ViT .npz into a moec graph's
// parameters. Same architecture: every leaf loaded, shapes checked, a located
// error for each missing, extra or mis-shaped leaf. Dense checkpoint into a MoE
// model: sparse upcycling (Komatsuzaki et al., 2023, as vmoe's `expand_tile`
// rule does it) — each MoE block's experts start as copies of that block's
// dense MLP, its router keeps its fresh initialisation, all else is copied.
import * as tf from '@tensorflow/tfjs';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { GraphModel } from '../../runtime/api.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';
import { readNpzFile, type NpzContents } from '../npz/npz.ts';
import { fromVmoeArrays, vmoeLayout, vmoeShapes, type Weight } from './layout.ts';

export type SourceLayout = 'vmoe' | 'vit_jax' | 'big_vision';

export interface UpcycledBlock {
  readonly block: number;
  readonly experts: number;
}

export interface ImportReport {
  readonly file: string;
  readonly layout: SourceLayout;
  /** moec parameters loaded unchanged from the file. */
  readonly copied: readonly string[];
  /** MoE blocks whose experts were initialised from the block's dense MLP. */
  readonly upcycled: readonly UpcycledBlock[];
  /** moec parameters left at their fresh initialisation (routers of upcycled blocks, fixed tables). */
  readonly fresh: readonly string[];
}

export interface ImportedWeights {
  /** moec parameter name → value, for every parameter not left fresh. */
  readonly weights: ReadonlyMap<string, Weight>;
  readonly report: ImportReport;
}

/** vmoe name of a leaf of any of the three layouts (prefixes of train states dropped). */
export function canonicalLeafName(name: string): string {
  let n = name.replace(/^(params|opt\/target|target)\//, '');
  n = n.replace(/^Transformer\//, 'Encoder/');
  if (n === 'pos_embedding') n = 'Encoder/posembed_input/pos_embedding';
  n = n.replace(/^(Encoder\/encoderblock_\d+)\/MultiHeadDotProductAttention_\d+\//, '$1/SelfAttention/');
  n = n.replace(/^(Encoder\/encoderblock_\d+)\/MlpBlock_\d+\//, '$1/Mlp/');
  n = n.replace(/^(Encoder\/encoderblock_\d+)\/LayerNorm_2\//, '$1/LayerNorm_1/');
  return n;
}

function detectLayout(names: readonly string[]): SourceLayout {
  if (names.some((n) => /(^|\/)Transformer\/encoderblock_\d+\/MultiHeadDotProductAttention_1\//.test(n))) return 'vit_jax';
  if (names.some((n) => /(^|\/)Transformer\//.test(n) || /(^|\/)pos_embedding$/.test(n) && !n.includes('posembed_input'))) return 'big_vision';
  return 'vmoe';
}

const DENSE_LEAF = /^(Encoder\/encoderblock_(\d+))\/Mlp\/(Dense_[01]\/(?:kernel|bias))$/;

/** Reads FILE.npz for `graph`. `upcycle` allows dense MLPs to initialise MoE blocks' experts. */
export function importVmoeNpz(path: string, graph: Graph, options: { readonly upcycle?: boolean; readonly file?: string } = {}): ImportedWeights {
  const file = options.file ?? path;
  const layout = vmoeLayout(graph);
  const shapes = vmoeShapes(layout);
  const m = { name: graph.meta.model };
  const moeBlocks = new Set(graph.blocks.flatMap((b) => (b.kind === 'moe' ? [b.index] : [])));
  // vmoe name → the file's entry name, to report both and refuse two entries for one leaf.
  const entryOf = new Map<string, string>();
  /** Expected shape of a dense-MLP leaf feeding the experts of MoE block i: the expert leaf without its expert axis. */
  const denseShapeFor = (name: string): readonly number[] | undefined => {
    const d = DENSE_LEAF.exec(name);
    if (!d || !options.upcycle || !moeBlocks.has(Number(d[2]))) return undefined;
    const expert = shapes.get(`${d[1]}/Moe/Mlp/${d[3]}`);
    return expert?.slice(1);
  };
  const shapeOf = (entry: string): readonly number[] | undefined => {
    const name = canonicalLeafName(entry);
    const shape = shapes.get(name) ?? denseShapeFor(name);
    if (!shape) return undefined;
    const other = entryOf.get(name);
    if (other !== undefined) throw new RuntimeFault('MOE0627', `${file}: arrays '${other}' and '${entry}' both hold parameter ${name}`);
    entryOf.set(name, entry);
    return shape;
  };
  const contents: NpzContents = readNpzFile(path, { file, shapeOf });
  if (contents.unexpected.length > 0) {
    const dense = contents.unexpected.filter((n) => {
      const d = DENSE_LEAF.exec(canonicalLeafName(n));
      return d !== null && moeBlocks.has(Number(d[2]));
    });
    if (!options.upcycle && dense.length === contents.unexpected.length)
      throw new RuntimeFault('MOE0644', `${file}: a dense checkpoint ('${dense[0]}' …) for model ${m.name}, whose block(s) ${[...moeBlocks].join(', ')} are MoE`, 'upcycle it into the MoE model with moec train SPEC --init-from FILE.npz');
    const scanned = contents.unexpected.find((n) => /(^|\/)encoderblock\//.test(n));
    if (scanned)
      throw new RuntimeFault('MOE0634', `${file}: '${scanned}' is a scanned (stacked) big_vision encoder, which moec does not read`, 'save the checkpoint with scan_layers off, or unstack encoderblock/ into encoderblock_0 …');
    const list = contents.unexpected.slice(0, 8).map((n) => `'${n}'`).join(', ');
    const more = contents.unexpected.length > 8 ? ` and ${contents.unexpected.length - 8} more` : '';
    throw new RuntimeFault('MOE0632', `${file}: ${contents.unexpected.length} array(s) the model ${m.name} does not have: ${list}${more}`, 'the file was written for a different architecture (check depth, pool, posemb and which blocks are MoE)');
  }
  const arrays = new Map<string, Weight>();
  for (const [entry, a] of contents.arrays) arrays.set(canonicalLeafName(entry), a);

  const upcycled: UpcycledBlock[] = [];
  for (const block of [...moeBlocks].sort((a, b) => a - b)) {
    const prefix = `Encoder/encoderblock_${block}`;
    const hasExperts = [...arrays.keys()].some((n) => n.startsWith(`${prefix}/Moe/`));
    const dense = ['Dense_0/kernel', 'Dense_0/bias', 'Dense_1/kernel', 'Dense_1/bias'].map((leaf) => [leaf, arrays.get(`${prefix}/Mlp/${leaf}`)] as const);
    if (hasExperts || !dense.some(([, a]) => a)) continue;
    const E = shapes.get(`${prefix}/Moe/Mlp/Dense_0/kernel`)![0]!;
    for (const [leaf, a] of dense) {
      if (!a) continue; // reported as missing below
      const data = new Float32Array(a.data.length * E);
      for (let e = 0; e < E; e++) data.set(a.data, e * a.data.length);
      arrays.set(`${prefix}/Moe/Mlp/${leaf}`, { shape: [E, ...a.shape], data });
      arrays.delete(`${prefix}/Mlp/${leaf}`);
    }
    upcycled.push({ block, experts: E });
  }

  const upcycledRouters = new Set(upcycled.map((u) => `Encoder/encoderblock_${u.block}/Moe/Router/`));
  const isFreshRouter = (name: string) => [...upcycledRouters].some((p) => name.startsWith(p));
  const missing = [...shapes].filter(([name]) => !arrays.has(name) && !isFreshRouter(name));
  if (missing.length > 0) {
    const list = missing.slice(0, 8).map(([n, s]) => `'${n}' [${s.join(', ')}]`).join(', ');
    const more = missing.length > 8 ? ` and ${missing.length - 8} more` : '';
    const hint = !options.upcycle && missing.some(([n]) => n.includes('/Moe/'))
      ? 'a dense checkpoint initialises a MoE model only by upcycling (moec train --init-from)'
      : 'the file was written for a different architecture';
    throw new RuntimeFault('MOE0631', `${file}: ${missing.length} parameter(s) of model ${m.name} missing: ${list}${more}`, hint);
  }
  const weights = fromVmoeArrays(layout, arrays);
  const copied: string[] = [];
  const fresh: string[] = [];
  const upcycledExperts = new Set(upcycled.map((u) => `block_${u.block}/moe/experts/`));
  for (const p of layout) {
    if (!weights.has(p.moec)) fresh.push(p.moec);
    else if (![...upcycledExperts].some((prefix) => p.moec.startsWith(prefix))) copied.push(p.moec);
  }
  return { weights, report: { file, layout: detectLayout([...contents.arrays.keys()]), copied, upcycled, fresh } };
}

/** Assigns imported values to a model's variables (the rest keep their initialisation). */
export function assignWeights(model: GraphModel, weights: ReadonlyMap<string, Weight>): void {
  for (const [name, w] of weights) {
    const v = model.variables.get(name);
    if (!v) throw new Error(`internal: imported parameter ${name} is not a variable of the model`);
    tf.tidy(() => v.assign(tf.tensor(w.data, [...w.shape], 'float32')));
  }
}

/** One paragraph for the CLI: what came from the file and what starts fresh. */
export function formatImportReport(r: ImportReport): string {
  const lines = [`initialised from ${r.file} (${r.layout} layout): ${r.copied.length} parameter(s) copied`];
  if (r.upcycled.length > 0) lines.push(`upcycled: ${r.upcycled.map((u) => `block ${u.block} (${u.experts} experts = copies of its dense MLP)`).join(', ')}`);
  if (r.fresh.length > 0) lines.push(`fresh: ${r.fresh.join(', ')}`);
  return lines.join('\n');
}

// Lowers a ResolvedModel to the op graph of a standard ViT laid out as timm's
// VisionTransformer (language.md §3.3), so parameter counts match the published
// ones. Every large product is a plain 2-D matmul: tokens are kept as [B·T, d]
// between blocks and reshaped only for attention (tfjs-facts.md §0: on wasm only
// flag-free 2-D matMuls are fast; conv2d has no filter gradient there).
import { GraphBuilder, type Ref } from '../graph/builder.ts';
import type { BlockInfo, Graph, Initializer } from '../graph/ir.ts';
import { mulDim } from '../graph/dims.ts';
import type { BlockLayer, ResolvedModel } from '../model.ts';
import { lowerMoeLayer, moeBlockInfo, moeOutputs } from './moe.ts';

export interface VitLoweringOptions {
  /** The spec file the model came from (recorded in graph.meta). */
  readonly source?: string;
  /** moec version recorded in graph.meta. */
  readonly compiler: string;
}

/** LayerNorm epsilon (timm/flax ViT). */
export const LAYER_NORM_EPSILON = 1e-6;

const XAVIER_2D: Initializer = { kind: 'xavier_uniform', fanInAxes: [0], fanOutAxes: [1] };
const ZEROS: Initializer = { kind: 'zeros' };
const ONES: Initializer = { kind: 'ones' };
/** MLP biases N(0, 1e-6) as the vmoe/flax ViT MlpBlock (routers.md §5). */
const MLP_BIAS: Initializer = { kind: 'normal', std: 1e-6 };

/** x [n, in] · kernel [in, out] + bias, both parameters in the current scope. */
function dense(b: GraphBuilder, x: Ref, outputs: number, names: { kernel: string; bias: string }, init: { kernel: Initializer; bias: Initializer }): Ref {
  const inputs = x.shape[1] as number;
  const kernel = b.param(names.kernel, [inputs, outputs], init.kernel, { decay: true });
  const bias = b.param(names.bias, [outputs], init.bias);
  return b.addT(b.matmul(x, kernel), bias, `${names.kernel}_out`);
}

function layerNorm(b: GraphBuilder, x: Ref, scope: string, width: number): Ref {
  return b.scope(scope, () => b.layerNorm(x, b.param('scale', [width], ONES), b.param('bias', [width], ZEROS), LAYER_NORM_EPSILON));
}

function dropout(b: GraphBuilder, x: Ref, rate: number, stream: string): Ref {
  return rate > 0 ? b.dropout(x, rate, stream) : x;
}

/** Multi-head self-attention on x [B·T, d] → [B·T, d]. */
function attention(b: GraphBuilder, x: Ref, m: ResolvedModel): Ref {
  const { width: d, heads: H, tokens: T } = m;
  const hd = d / H;
  const BT = x.shape[0];
  const BH = mulDim('B', H);
  const qkv = dense(b, x, 3 * d, { kernel: 'qkv/kernel', bias: 'qkv/bias' }, { kernel: XAVIER_2D, bias: ZEROS });
  // Split [B·T, 3d] into q, k, v, each to [B·H, T, hd] with 4-D transposes.
  const split = (i: number, name: string): Ref => {
    const part = b.slice(qkv, [0, i * d], [BT, d], name);
    const heads = b.transpose(b.reshape(part, ['B', T, H, hd]), [0, 2, 1, 3]);
    return b.reshape(heads, [BH, T, hd], `${name}_heads`);
  };
  const q = b.mul(split(0, 'q'), 1 / Math.sqrt(hd), 'q_scaled');
  const k = split(1, 'k');
  const v = split(2, 'v');
  const probs = b.softmax(b.batchMatmul(q, k, { transposeB: true }, 'scores'), 'probs');
  const context = b.batchMatmul(probs, v, {}, 'context');
  const merged = b.reshape(b.transpose(b.reshape(context, ['B', H, T, hd]), [0, 2, 1, 3]), [BT, d], 'merged');
  return dense(b, merged, d, { kernel: 'out/kernel', bias: 'out/bias' }, { kernel: XAVIER_2D, bias: ZEROS });
}

/** Dense MLP: d → mlp → d, tanh GELU. */
function mlp(b: GraphBuilder, x: Ref, m: ResolvedModel, blockIndex: number): Ref {
  const h = b.gelu(dense(b, x, m.mlp, { kernel: 'w1', bias: 'b1' }, { kernel: XAVIER_2D, bias: MLP_BIAS }), true);
  const hd = dropout(b, h, m.dropout, `block_${blockIndex}/mlp/dropout`);
  return dense(b, hd, m.width, { kernel: 'w2', bias: 'b2' }, { kernel: XAVIER_2D, bias: MLP_BIAS });
}

interface LayerResult {
  readonly y: Ref;
  readonly auxLoss?: Ref;
  readonly info: BlockInfo;
  /** The block's named outputs (routing tensors, statistics, probes). */
  readonly outputs: Record<string, Ref | string>;
}

function mlpLayer(b: GraphBuilder, x: Ref, layer: BlockLayer, m: ResolvedModel, index: number): LayerResult {
  if (layer.kind === 'dense') return { y: b.scope('mlp', () => mlp(b, x, m, index)), info: { index, kind: 'dense', scope: b.currentScope, mlp: m.mlp }, outputs: {} };
  const moe = b.scope('moe', () => lowerMoeLayer(b, x, layer, { tokensPerImage: m.tokens, width: m.width, blockIndex: index }));
  return { y: moe.y, auxLoss: moe.auxLoss, info: moeBlockInfo(index, b.currentScope, layer, moe), outputs: moeOutputs(index, moe) };
}

function patchEmbedding(b: GraphBuilder, images: Ref, m: ResolvedModel): Ref {
  const [Hi, Wi, C] = m.image;
  const [ph, pw] = m.patch;
  if (Hi % ph !== 0 || Wi % pw !== 0) throw new Error(`model ${m.name}: patch ${ph}x${pw} does not divide the image ${Hi}x${Wi}`);
  const gh = Hi / ph;
  const gw = Wi / pw;
  const N = gh * gw;
  // [B,H,W,C] → [B,gh,ph,gw,pw,C] → [B,gh,gw,ph,pw,C] → [B·N, ph·pw·C]: patch pixels row-major, channels last.
  const grid = b.reshape(images, ['B', gh, ph, gw, pw, C], 'patch_grid');
  const patches = b.reshape(b.transpose(grid, [0, 1, 3, 2, 4, 5], 'patch_order'), [mulDim('B', N), ph * pw * C], 'patches');
  return b.scope('embedding', () => {
    const kernel = b.param('kernel', [ph * pw * C, m.width], XAVIER_2D, { decay: true });
    const bias = b.param('bias', [m.width], ZEROS);
    return b.reshape(b.addT(b.matmul(patches, kernel), bias), ['B', N, m.width], 'tokens');
  });
}

export function lowerVit(m: ResolvedModel, options: VitLoweringOptions): Graph {
  const b = new GraphBuilder();
  const { width: d, tokens: T } = m;
  if (d % m.heads !== 0) throw new Error(`model ${m.name}: width ${d} is not divisible by heads ${m.heads}`);
  if (m.blocks.length !== m.depth) throw new Error(`model ${m.name}: ${m.blocks.length} block layers for depth ${m.depth}`);
  const prefix = m.pool === 'cls' ? 1 : 0;
  const gh = m.image[0] / m.patch[0];
  const gw = m.image[1] / m.patch[1];
  if (gh * gw + prefix !== T) throw new Error(`model ${m.name}: ${T} tokens declared, but the patches give ${gh * gw + prefix}`);

  const images = b.input('images', ['B', ...m.image]);
  let x = patchEmbedding(b, images, m);
  if (prefix) {
    const cls = b.param('cls', [1, 1, d], ZEROS);
    x = b.concat([b.broadcastTo(cls, ['B', 1, d], 'cls_tokens'), x], 1, 'with_cls');
  }
  const posembInit: Initializer =
    m.posemb === 'sincos2d' ? { kind: 'sincos2d', gridH: gh, gridW: gw, prefixTokens: prefix } : { kind: 'normal', std: 0.02 };
  if (m.posemb === 'sincos2d' && d % 4 !== 0) throw new Error(`model ${m.name}: posemb sincos2d needs a width divisible by 4, got ${d}`);
  x = b.addT(x, b.param('posemb', [T, d], posembInit, { trainable: m.posemb !== 'sincos2d' }), 'embedded');
  // The residual stream stays 2-D [B·T, d] so every dense layer is a plain 2-D matmul.
  x = dropout(b, b.reshape(x, [mulDim('B', T), d], 'stream'), m.dropout, 'embedding/dropout');

  const blocks: BlockInfo[] = [];
  const blockOutputs: Record<string, Ref | string> = {};
  const auxLosses: Ref[] = [];
  m.blocks.forEach((layer, i) => {
    x = b.scope(`block_${i}`, () => {
      const normed = layerNorm(b, x, 'ln1', d);
      const a = b.scope('attention', () => attention(b, normed, m));
      const h = b.addT(x, dropout(b, a, m.dropout, `block_${i}/attention/dropout`), 'residual1');
      const r = mlpLayer(b, layerNorm(b, h, 'ln2', d), layer, m, i);
      blocks.push(r.info);
      Object.assign(blockOutputs, r.outputs);
      if (r.auxLoss) auxLosses.push(r.auxLoss);
      return b.addT(h, dropout(b, r.y, m.dropout, `block_${i}/mlp_out/dropout`), 'residual2');
    });
  });

  const encoded = layerNorm(b, x, 'encoder_norm', d);
  const tokens = b.reshape(encoded, ['B', T, d], 'encoded');
  const pooled =
    m.pool === 'cls' ? b.reshape(b.slice(tokens, [0, 0, 0], ['B', 1, d], 'cls_token'), ['B', d], 'pooled') : b.mean(tokens, [1], false, 'pooled');
  const logits = b.scope('head', () =>
    dense(b, pooled, m.classes, { kernel: 'kernel', bias: 'bias' }, { kernel: ZEROS, bias: { kind: 'constant', value: -Math.log(m.classes) } }),
  );
  const auxLoss = auxLosses.length === 0 ? b.constant(0) : auxLosses.reduce((sum, l) => b.addT(sum, l, 'aux_loss'));
  const { image, patch, tokens: vitTokens, width, depth, heads, mlp: mlpWidth, classes, pool, posemb, dropout: rate } = m;
  return b.build({
    model: m.name,
    compiler: options.compiler,
    ...(options.source ? { source: options.source } : {}),
    resolved: m,
    vit: { image, patch, tokens: vitTokens, width, depth, heads, mlp: mlpWidth, classes, pool, posemb, dropout: rate },
    outputs: { logits, aux_loss: auxLoss, ...blockOutputs },
    blocks,
  });
}

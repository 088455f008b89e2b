// The reference for figure 3: the same dense ViT written directly with TensorFlow.js
// ops, following tfjs-facts.md §7.5 (reshape-based patch embedding, flag-free 2-D
// matMuls with the §7.2 custom gradient, 4-D transposes around batched attention,
// LayerNorm from tf.moments) and the GELU of the compiled model (tanh form). It reads
// its weights from a compiled model's variables, so both compute the same function.
import * as tf from '@tensorflow/tfjs';
import type { Graph } from '../compiler/graph/ir.ts';

/** §7.2: [m,k]·[k,n] whose forward and backward are flag-free 2-D matMuls. */
export const mm = tf.customGrad((a, b, save) => {
  (save as tf.GradSaveFunc)([a as tf.Tensor, b as tf.Tensor]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(sb!) as tf.Tensor2D),
      tf.matMul(tf.transpose(sa!) as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

const lin = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D => tf.add(mm(x, w), b) as tf.Tensor2D;

function ln(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, epsilon = 1e-6): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), g), b);
}

/** GELU, tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

export interface HandWrittenVit {
  /** images [B,H,W,C] → logits [B, classes]. */
  forward(images: tf.Tensor4D): tf.Tensor2D;
  /** The trainable variables, in the compiled model's order. */
  readonly trainable: readonly tf.Variable[];
}

/** A dense ViT with `pool: gap`, no dropout (the shape figure 3 uses), over `variables`. */
export function handWrittenVit(graph: Graph, variables: ReadonlyMap<string, tf.Variable>): HandWrittenVit {
  const m = graph.vit;
  if (!m) throw new Error('the hand-written ViT reference needs a ViT graph');
  if (m.pool !== 'gap') throw new Error('the hand-written ViT reference covers pool: gap only');
  if (m.dropout !== 0) throw new Error('the hand-written ViT reference covers dropout 0 only');
  if (graph.blocks.some((b) => b.kind !== 'dense')) throw new Error('the hand-written ViT reference covers dense blocks only');
  const v = (name: string): tf.Variable => {
    const found = variables.get(name);
    if (!found) throw new Error(`hand-written ViT: no variable ${name}`);
    return found;
  };
  const [Hi, Wi, C] = m.image;
  const [p] = m.patch;
  if (m.patch[0] !== m.patch[1]) throw new Error('the hand-written ViT reference covers square patches only');
  const g = Hi / p!;
  const gw = Wi / p!;
  const N = g * gw;
  const d = m.width;
  const H = m.heads;
  const hd = d / H;
  return {
    trainable: [...variables.values()].filter((x) => x.trainable),
    forward(x) {
      const B = x.shape[0];
      const patches = tf.reshape(tf.transpose(tf.reshape(x, [B, g, p!, gw, p!, C!]), [0, 1, 3, 2, 4, 5]), [B * N, p! * p! * C!]);
      let h: tf.Tensor = tf.reshape(tf.add(tf.reshape(lin(patches, v('embedding/kernel'), v('embedding/bias')), [B, N, d]), v('posemb')), [B * N, d]);
      for (let i = 0; i < m.depth; i++) {
        const at = (name: string) => v(`block_${i}/${name}`);
        const y = ln(h, at('ln1/scale'), at('ln1/bias'));
        const [q, k, vv] = tf
          .split(lin(y, at('attention/qkv/kernel'), at('attention/qkv/bias')), 3, 1)
          .map((t) => tf.reshape(tf.transpose(tf.reshape(t, [B, N, H, hd]), [0, 2, 1, 3]), [B * H, N, hd]));
        const probs = tf.softmax(tf.matMul(tf.mul(q!, 1 / Math.sqrt(hd)), k!, false, true));
        const o = tf.reshape(tf.transpose(tf.reshape(tf.matMul(probs, vv!), [B, H, N, hd]), [0, 2, 1, 3]), [B * N, d]);
        h = tf.add(h, lin(o, at('attention/out/kernel'), at('attention/out/bias')));
        const z = ln(h, at('ln2/scale'), at('ln2/bias'));
        h = tf.add(h, lin(gelu(lin(z, at('mlp/w1'), at('mlp/b1'))), at('mlp/w2'), at('mlp/b2')));
      }
      const pooled = tf.mean(tf.reshape(ln(h, v('encoder_norm/scale'), v('encoder_norm/bias')), [B, N, d]), 1);
      return lin(pooled, v('head/kernel'), v('head/bias'));
    },
  };
}

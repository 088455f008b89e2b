// Public API: one MoE layer (any of the six routers) as a callable on tfjs
// tensors, without writing a .moe file. It lowers the layer with the same code
// the compiler uses (compiler/lower/moe.ts) into a one-layer graph and runs it
// with the executor; the layer's parameters are tfjs variables you may read,
// assign or train.
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder, type Ref } from '../compiler/graph/builder.ts';
import type { Graph } from '../compiler/graph/ir.ts';
import { blockOutput, probeOutput } from '../compiler/graph/ir.ts';
import { mulDim } from '../compiler/graph/dims.ts';
import type { MoeBlockLayer } from '../compiler/model.ts';
import { lowerMoeLayer, moeBlockInfo, moeOutputs } from '../compiler/lower/moe.ts';
import { createGraphModel } from './executor/graph-model.ts';
import type { GraphModel } from './api.ts';

export interface MoeLayerGraphOptions {
  /** Model width d. */
  readonly width: number;
  /** Tokens per image T (the input is [B, T, d]). */
  readonly tokensPerImage: number;
  /** Expert GELU: tanh approximation (default) or exact erf (false). */
  readonly geluApproximate?: boolean;
}

export interface MoeLayerOptions extends MoeLayerGraphOptions {
  /** Seeds the parameter initialisation and the router noise. */
  readonly seed: number;
}

export interface MoeLayerGraph {
  readonly graph: Graph;
  /** Node ids of the layer's named intermediates (dispatch, combine, gates, plan, …). */
  readonly nodes: Readonly<Record<string, string>>;
  /** Parameter names: `moe/router/kernel` (or `moe/router/mu`, `moe/router/scale`), `moe/experts/{w1,b1,w2,b2}`. */
  readonly params: readonly string[];
}

export interface MoeLayerResult {
  /** [B, T, d] layer output (no residual). */
  readonly y: tf.Tensor3D;
  /** Scalar weighted aux loss, averaged over routing groups. */
  readonly auxLoss: tf.Scalar;
  /** `load`, `dropped`, `experts_per_token`, and the aux losses the router has. */
  readonly stats: ReadonlyMap<string, tf.Tensor>;
  /** The requested intermediates, by name (see MoeLayerGraph.nodes). */
  readonly nodes: ReadonlyMap<string, tf.Tensor>;
}

export interface MoeLayer {
  readonly graph: Graph;
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Names of the intermediates `apply` can return. */
  readonly nodeNames: readonly string[];
  /** Runs the layer on x [B, T, d]. Tape-friendly: call inside tf.variableGrads / tf.tidy. */
  apply(x: tf.Tensor3D, options?: { training?: boolean; step?: number; nodes?: readonly string[] }): MoeLayerResult;
  dispose(): void;
}

/** The graph output that carries intermediate `name` of the layer (block 0). */
function outputOf(name: string): string {
  return name === 'dispatch' || name === 'combine' ? blockOutput(0, name) : probeOutput(0, name);
}

/** Builds the one-layer graph: images [B, T, d, 1] → MoE → "logits" [B, T·d]. */
export function buildMoeLayerGraph(layer: MoeBlockLayer, options: MoeLayerGraphOptions): MoeLayerGraph {
  const { width: d, tokensPerImage: T } = options;
  const b = new GraphBuilder();
  const images = b.input('images', ['B', T, d, 1]);
  const x = b.reshape(images, [mulDim('B', T), d], 'tokens');
  const lowering = b.scope('moe', () =>
    lowerMoeLayer(b, x, layer, { tokensPerImage: T, width: d, blockIndex: 0, geluApproximate: options.geluApproximate ?? true }),
  );
  const logits = b.reshape(lowering.y, ['B', T * d], 'output');
  const nodes = Object.fromEntries(Object.entries(lowering.debug).map(([name, ref]: [string, Ref]) => [name, ref.id]));
  const graph = b.build({
    model: 'moe_layer',
    compiler: 'moec moe-layer',
    outputs: { logits, aux_loss: lowering.auxLoss, ...moeOutputs(0, lowering) },
    blocks: [moeBlockInfo(0, 'moe', layer, lowering)],
  });
  return { graph, nodes, params: graph.params.map((p) => p.name) };
}

/** Binds a one-layer graph (possibly edited, e.g. in tests) to fresh variables. */
export function bindMoeLayer(built: MoeLayerGraph, seed: number): MoeLayer {
  const names = Object.keys(built.nodes);
  // Intermediates are graph outputs; an edited graph may point a name at another node.
  const graph: Graph = { ...built.graph, outputs: { ...built.graph.outputs, ...Object.fromEntries(names.map((n) => [outputOf(n), built.nodes[n]])) } };
  const model: GraphModel = createGraphModel(graph, { seed });
  const [, T, d] = built.graph.inputs[0].shape as [unknown, number, number];
  return {
    graph: built.graph,
    variables: model.variables,
    nodeNames: names,
    apply(x, options = {}) {
      const [B] = x.shape;
      if (x.shape[1] !== T || x.shape[2] !== d) throw new Error(`the MoE layer takes [batch, ${T}, ${d}], got [${x.shape.join(', ')}]`);
      const wanted = [...new Set(options.nodes ?? [])];
      for (const n of wanted) if (!names.includes(n)) throw new Error(`unknown MoE layer node '${n}' (available: ${names.join(', ')})`);
      const out = model.forward(tf.reshape(x, [B, T, d, 1]) as tf.Tensor4D, {
        training: options.training ?? false,
        step: options.step ?? 0,
        outputs: wanted.map(outputOf),
      });
      const stats = new Map<string, tf.Tensor>();
      for (const [key, value] of out.stats) stats.set(key.slice(key.indexOf('/') + 1), value);
      const nodes = new Map(wanted.map((n) => [n, out.outputs.get(outputOf(n))!]));
      const y = tf.reshape(out.logits, [B, T, d]) as tf.Tensor3D;
      if (y !== (out.logits as tf.Tensor)) out.logits.dispose();
      return { y, auxLoss: out.auxLoss, stats, nodes };
    },
    dispose: () => model.dispose(),
  };
}

/** An MoE layer with freshly initialised parameters (seeded), ready to call on [B, T, d] tensors. */
export function createMoeLayer(layer: MoeBlockLayer, options: MoeLayerOptions): MoeLayer {
  return bindMoeLayer(buildMoeLayerGraph(layer, options), options.seed);
}

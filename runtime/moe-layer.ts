// Public API: one MoE layer (any of the six routers) as a callable on tfjs
// tensors, without writing a .moe file. It lowers the layer with the same code
// the compiler uses (compiler/lower/moe.ts) into a one-layer graph and runs it
// with the executor; the layer's parameters are tfjs variables you may read,
// assign or train.
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder, type Ref } from '../compiler/graph/builder.ts';
import type { Graph, RoutingStatRef } from '../compiler/graph/ir.ts';
import { mulDim } from '../compiler/graph/dims.ts';
import type { MoeBlockLayer, ResolvedModel } from '../compiler/model.ts';
import { lowerMoeLayer } from '../compiler/lower/moe.ts';
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

/** Marks the extra values (stats beyond the graph's own) the one-layer graph hands back. */
const PROBE = 'probe:';

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
  const model: ResolvedModel = {
    name: 'moe_layer',
    image: [T, d, 1],
    patch: [1, 1],
    width: d,
    depth: 1,
    heads: 1,
    mlp: layer.mlp,
    classes: T * d,
    pool: 'gap',
    dropout: 0,
    posemb: 'learned',
    tokens: T,
    blocks: [layer],
  };
  const nodes = Object.fromEntries(Object.entries(lowering.debug).map(([name, ref]: [string, Ref]) => [name, ref.id]));
  const graph = b.build({
    model,
    compiler: 'moec moe-layer',
    logits,
    auxLoss: lowering.auxLoss,
    blocks: [{ index: 0, kind: 'moe', router: layer.router.family, experts: layer.router.experts, group: layer.router.group, stats: lowering.stats }],
  });
  return { graph, nodes, params: graph.params.map((p) => p.name) };
}

/**
 * The graph with extra values handed back through block 0's statistics list:
 * the executor returns every listed statistic, so this needs no executor hook.
 */
function withProbes(graph: Graph, probes: readonly [string, string][]): Graph {
  const [block, ...rest] = graph.blocks;
  const extra = probes.map(([name, node]) => ({ name: `${PROBE}${name}`, node }) as unknown as RoutingStatRef);
  return { ...graph, blocks: [{ ...block, stats: [...(block.stats ?? []), ...extra] }, ...rest] };
}

/** Binds a one-layer graph (possibly edited, e.g. in tests) to fresh variables. */
export function bindMoeLayer(built: MoeLayerGraph, seed: number): MoeLayer {
  const names = Object.keys(built.nodes);
  const model: GraphModel = createGraphModel(withProbes(built.graph, names.map((n) => [n, built.nodes[n]])), { seed });
  const [, T, d] = built.graph.inputs[0].shape as [unknown, number, number];
  return {
    graph: built.graph,
    variables: model.variables,
    nodeNames: names,
    apply(x, options = {}) {
      const [B] = x.shape;
      if (x.shape[1] !== T || x.shape[2] !== d) throw new Error(`the MoE layer takes [batch, ${T}, ${d}], got [${x.shape.join(', ')}]`);
      const wanted = new Set(options.nodes ?? []);
      for (const n of wanted) if (!names.includes(n)) throw new Error(`unknown MoE layer node '${n}' (available: ${names.join(', ')})`);
      const out = model.forward(tf.reshape(x, [B, T, d, 1]) as tf.Tensor4D, { training: options.training ?? false, step: options.step ?? 0 });
      const stats = new Map<string, tf.Tensor>();
      const nodes = new Map<string, tf.Tensor>();
      for (const [key, value] of out.stats) {
        const name = key.slice(key.indexOf('/') + 1);
        if (name.startsWith(PROBE)) {
          const node = name.slice(PROBE.length);
          if (wanted.has(node)) nodes.set(node, value);
          else value.dispose();
        } else stats.set(name, value);
      }
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

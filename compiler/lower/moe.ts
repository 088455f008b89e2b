// Lowers one MoE layer (routers.md §2): group the tokens, let the router decide
// (dispatch/combine, aux loss, statistics), then run the one shared dispatcher.
import type { GraphBuilder, Ref } from '../graph/builder.ts';
import type { BlockInfo, RoutingStatRef } from '../graph/ir.ts';
import { blockOutput, probeOutput } from '../graph/ir.ts';
import type { MoeBlockLayer } from '../model.ts';
import { divDim } from '../graph/dims.ts';
import { dispatchAndCombine } from './dispatch.ts';
import type { RouterDecision, RoutingShape } from './routers/common.ts';
import { definitionOf, expertsPerToken, routerKind, routerSlots } from '../routers/index.ts';

export interface MoeLoweringContext {
  readonly tokensPerImage: number;
  readonly width: number;
  readonly blockIndex: number;
  /** Expert GELU: tanh approximation (default, flax) or exact erf when false. */
  readonly geluApproximate?: boolean;
}

export interface MoeLowering {
  /** [B·T, d] layer output (no residual). */
  readonly y: Ref;
  /** Scalar: the router's weighted aux loss, averaged over groups. */
  readonly auxLoss: Ref;
  readonly stats: RoutingStatRef[];
  /** Names of the expert parameters (experts on the leading axis). */
  readonly expertParams: readonly string[];
  /**
   * Named intermediate nodes: grouped (the layer input as [G,S,d]), dispatch,
   * combine [G,S,E,C], expert_inputs and expert_outputs [G,E·C,d], output
   * [B·T,d], and per router logits, gates, plan, kept,
   * selected_tokens, experts_per_token, importance_loss, load_loss.
   */
  readonly debug: Readonly<Record<string, Ref>>;
}

export function lowerMoeLayer(b: GraphBuilder, x: Ref, layer: MoeBlockLayer, ctx: MoeLoweringContext): MoeLowering {
  const router = layer.router;
  const S = router.group;
  const [tokens, d] = x.shape;
  if (x.shape.length !== 2 || d !== ctx.width) throw new Error(`block ${ctx.blockIndex}: the MoE layer expects tokens [B·T, ${ctx.width}], got [${x.shape.join(', ')}]`);
  let groups;
  try {
    groups = divDim(tokens, S);
  } catch {
    throw new Error(`block ${ctx.blockIndex}: ${tokens} tokens cannot be cut into routing groups of ${S}`);
  }
  const shape: RoutingShape = { groups, groupSize: S, experts: router.experts, capacity: routerSlots(router), width: ctx.width };
  const xg = b.reshape(x, [groups, S, ctx.width], 'grouped');
  const decision: RouterDecision = b.scope('router', () => definitionOf(router).lower(b, x, router, shape));
  const { y, expertInputs, expertOutputs, expertParams } = dispatchAndCombine(b, xg, decision, shape, {
    hidden: layer.mlp,
    geluApproximate: ctx.geluApproximate ?? true,
  });
  const out = b.reshape(y, [tokens, ctx.width], 'output');
  return {
    y: out,
    auxLoss: decision.auxLoss,
    stats: decision.stats,
    expertParams,
    debug: {
      ...decision.debug,
      grouped: xg,
      dispatch: decision.dispatch,
      combine: decision.combine,
      expert_inputs: expertInputs,
      expert_outputs: expertOutputs,
      output: out,
    },
  };
}

/** The complete block description of a lowered MoE layer (graph.blocks[i]). */
export function moeBlockInfo(index: number, scope: string, layer: MoeBlockLayer, lowering: MoeLowering): BlockInfo {
  const r = layer.router;
  return {
    index,
    kind: 'moe',
    scope,
    mlp: layer.mlp,
    router: routerKind(r),
    family: r.family,
    ...(layer.routerName ? { routerName: layer.routerName } : {}),
    experts: r.experts,
    capacity: routerSlots(r),
    group: r.group,
    expertsPerToken: expertsPerToken(r),
    expertParams: [...lowering.expertParams],
    routerParams: { ...r },
  };
}

/**
 * The named graph outputs of MoE block `index` (ir.ts GraphOutputs): dispatch and
 * combine [G,S,E,C], the statistics, and every intermediate as a probe.
 */
export function moeOutputs(index: number, lowering: MoeLowering): Record<string, Ref | string> {
  const out: Record<string, Ref | string> = {
    [blockOutput(index, 'dispatch')]: lowering.debug.dispatch,
    [blockOutput(index, 'combine')]: lowering.debug.combine,
  };
  for (const s of lowering.stats) out[blockOutput(index, s.name)] = s.node;
  for (const [name, ref] of Object.entries(lowering.debug)) {
    if (name !== 'dispatch' && name !== 'combine') out[probeOutput(index, name)] = ref;
  }
  return out;
}

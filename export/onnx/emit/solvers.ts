// The two OT solvers of the selection (runtime/kernels/solvers.ts), in float64
// like the kernels so that the exported selection agrees with moec's:
//   sinkhorn_plan   log-domain Sinkhorn, the fixed iterations unrolled, g then f;
//   sparse_ot_plan  the semi-dual Adam solver as an ONNX Loop over at most
//                   `iterations` steps with the kernel's stopping rule per group
//                   (one unconditional step, then more while the previous step's
//                   gradient norm is > tol): a group that has stopped keeps its
//                   state (masked updates), the loop ends when every group has.
import type { OpNode } from '../../../compiler/graph/ir.ts';
import type { OnnxGraph } from '../onnx-graph.ts';
import { valueInfo } from '../onnx-graph.ts';
import { cast, type EmitContext, type EmitTable, type Value } from './context.ts';

type Reduce = EmitContext['reduce'];

/** log Σ exp over one axis (kept), max-shifted as the kernel's logSumExp. */
function logSumExp(g: OnnxGraph, reduce: Reduce, x: string, axis: number, hint: string): string {
  const max = reduce('ReduceMax', x, [axis], true, `${hint}/max`);
  const sum = reduce('ReduceSum', g.op('Exp', [g.op('Sub', [x, max], {}, `${hint}/shifted`)], {}, `${hint}/exp`), [axis], true, `${hint}/sum`);
  return g.op('Add', [max, g.op('Log', [sum], {}, `${hint}/log`)], {}, hint);
}

function sinkhornPlan(node: OpNode, x: Value, ctx: EmitContext, S: number, E: number): Value {
  const g = ctx.g;
  const iterations = node.attrs.iterations as number;
  if (!Number.isInteger(iterations) || iterations < 1) ctx.unsupported(`sinkhorn_plan needs at least one iteration, got ${iterations}`);
  const logits = cast(ctx, x, 'float64', `${node.id}/logits`).name; // [G,S,E]
  const logB = g.scalar('float64', Math.log(S / E));
  let f: string | undefined; // [G,S,1]
  let gp = ''; // [G,1,E]
  for (let it = 0; it < iterations; it++) {
    const column = f ? g.op('Add', [f, logits], {}, `${node.id}/it${it}/column`) : logits;
    gp = g.op('Sub', [logB, logSumExp(g, ctx.reduce, column, 1, `${node.id}/it${it}/lse_tokens`)], {}, `${node.id}/it${it}/g`);
    const row = g.op('Add', [logits, gp], {}, `${node.id}/it${it}/row`);
    f = g.op('Neg', [logSumExp(g, ctx.reduce, row, 2, `${node.id}/it${it}/lse_experts`)], {}, `${node.id}/it${it}/f`);
  }
  const plan = g.op('Exp', [g.op('Add', [g.op('Add', [f!, logits], {}, `${node.id}/f_logits`), gp], {}, `${node.id}/log_plan`)], {}, `${node.id}/plan64`);
  return cast(ctx, { name: plan, dtype: 'float64' }, 'float32', node.id);
}

interface SparseOtAttrs {
  readonly iterations: number;
  readonly capacity: number;
  readonly lr: number;
  readonly tol: number;
  readonly gamma: number;
}

/**
 * The k-sparse simplex projection of every column (jaxopt projection_sparse_simplex):
 * for `alpha` [G,S] and the similarities `probs` [G,S,E] returns y [G,E,S].
 */
function columnSolutions(g: OnnxGraph, reduce: Reduce, unsqueeze: EmitContext['unsqueeze'], probs: string, alpha: string, a: SparseOtAttrs, b: number, hint: string): string {
  const k = a.capacity;
  const v = g.op('Div', [g.op('Add', [unsqueeze(alpha, [2], `${hint}/alpha`), probs], {}, `${hint}/shifted`), g.scalar('float64', a.gamma * b)], {}, `${hint}/v`);
  const byColumn = g.op('Transpose', [v], { perm: { ints: [0, 2, 1] } }, `${hint}/columns`); // [G,E,S]
  const [top, index] = g.opN('TopK', [byColumn, g.int64s([k])], 2, { axis: { i: -1 }, largest: { i: 1 }, sorted: { i: 1 } }, `${hint}/top`);
  const cumsum = g.op('CumSum', [top!, g.scalar('int32', 2)], {}, `${hint}/cumsum`);
  const ranks = g.constant('float64', [k], Array.from({ length: k }, (_, i) => i + 1), `ranks_${k}`);
  const one = g.scalar('float64', 1);
  const zero = g.scalar('float64', 0);
  // 1/(i+1) + v_i − cumsum_i/(i+1) > 0; ρ = the last rank where it holds (the first always does).
  const test = g.op('Sub', [g.op('Add', [g.op('Div', [one, ranks], {}, `${hint}/inv_rank`), top!], {}, `${hint}/lhs`), g.op('Div', [cumsum, ranks], {}, `${hint}/mean`)], {}, `${hint}/test`);
  const holds = g.op('Cast', [g.op('Greater', [test, zero], {}, `${hint}/holds`)], { to: { i: 11 } }, `${hint}/holds64`);
  const rho = reduce('ReduceMax', g.op('Mul', [holds, ranks], {}, `${hint}/rank_if`), [2], true, `${hint}/rho`); // [G,E,1]
  const rhoIndex = g.op('Cast', [g.op('Sub', [rho, one], {}, `${hint}/rho_minus_1`)], { to: { i: 7 } }, `${hint}/rho_index`);
  const rhoCumsum = g.op('GatherElements', [cumsum, rhoIndex], { axis: { i: 2 } }, `${hint}/rho_cumsum`);
  const values = g.op(
    'Max',
    [zero, g.op('Sub', [g.op('Add', [g.op('Div', [one, rho], {}, `${hint}/inv_rho`), top!], {}, `${hint}/tau_lhs`), g.op('Div', [rhoCumsum, rho], {}, `${hint}/tau`)], {}, `${hint}/projected`)],
    {},
    `${hint}/clipped`,
  );
  const zeros = g.op('ConstantOfShape', [g.op('Shape', [byColumn], {}, `${hint}/shape`)], { value: { t: { dataType: 11, dims: [1], doubleData: [0] } } }, `${hint}/zeros`);
  return g.op('ScatterElements', [zeros, index!, values], { axis: { i: 2 } }, `${hint}/y`);
}

function sparseOtPlan(node: OpNode, x: Value, ctx: EmitContext, S: number, E: number): Value {
  const a = node.attrs as unknown as SparseOtAttrs;
  for (const key of ['iterations', 'capacity', 'lr', 'tol', 'gamma'] as const)
    if (typeof a[key] !== 'number' || !Number.isFinite(a[key])) ctx.unsupported(`sparse_ot_plan needs a numeric '${key}' attribute`);
  if (a.capacity < 1 || a.capacity > S) ctx.unsupported(`sparse_ot_plan capacity ${a.capacity} is outside 1..${S} (the group size)`);
  if (!Number.isInteger(a.iterations) || a.iterations < 1) ctx.unsupported(`sparse_ot_plan needs at least one solver step, got ${a.iterations}`);
  const g = ctx.g;
  const b = S / E;
  const id = node.id;
  const probs = cast(ctx, x, 'float64', `${id}/probs`).name; // [G,S,E], outer scope of the loop body
  const groupTokens = g.op('Slice', [g.op('Shape', [probs], {}, `${id}/shape`), g.int64s([0]), g.int64s([2])], {}, `${id}/gs`);
  const zeros = (shape: string, hint: string) => g.op('ConstantOfShape', [shape], { value: { t: { dataType: 11, dims: [1], doubleData: [0] } } }, hint);
  const groupsOnly = g.op('Slice', [groupTokens, g.int64s([0]), g.int64s([1])], {}, `${id}/g_shape`);
  const alpha0 = zeros(groupTokens, `${id}/alpha0`);
  const m0 = zeros(groupTokens, `${id}/m0`);
  const v0 = zeros(groupTokens, `${id}/v0`);
  const steps0 = zeros(groupsOnly, `${id}/steps0`);
  const norm0 = zeros(groupsOnly, `${id}/norm0`);

  // Loop body: (i, cond, alpha, m, v, steps, norm) → (cond, alpha, m, v, steps, norm).
  const body = g.subgraph();
  const n = (s: string) => g.names.fresh(`${id}/loop/${s}`);
  const [iter, condIn, alpha, m, v, steps, norm] = ['iter', 'cond_in', 'alpha', 'm', 'v', 'steps', 'norm'].map(n) as [string, string, string, string, string, string, string];
  const bodyReduce: Reduce = (type, input, axes, keep, hint) =>
    ctx.opset >= 18 || type === 'ReduceSum'
      ? body.op(type, [input, body.int64s(axes ?? [])], { keepdims: { i: keep ? 1 : 0 } }, hint)
      : body.op(type, [input], { ...(axes ? { axes: { ints: axes } } : {}), keepdims: { i: keep ? 1 : 0 } }, hint);
  const bodyUnsqueeze: EmitContext['unsqueeze'] = (input, axes, hint) => body.op('Unsqueeze', [input, body.int64s(axes)], {}, hint);
  const d = (value: number) => body.scalar('float64', value);
  const active = body.op('Or', [body.op('Equal', [steps, d(0)], {}, `${id}/loop/first`), body.op('Greater', [norm, d(a.tol)], {}, `${id}/loop/above_tol`)], {}, `${id}/loop/active`); // [G]
  const activeColumn = bodyUnsqueeze(active, [1], `${id}/loop/active_col`);
  const y = columnSolutions(body, bodyReduce, bodyUnsqueeze, probs, alpha, a, b, `${id}/loop/proj`);
  const grad = body.op('Add', [d(-1), body.op('Mul', [d(b), bodyReduce('ReduceSum', y, [1], false, `${id}/loop/sum_y`)], {}, `${id}/loop/by`)], {}, `${id}/loop/grad`); // [G,S]
  const grad2 = body.op('Mul', [grad, grad], {}, `${id}/loop/grad2`);
  const gradNorm = body.op('Sqrt', [bodyReduce('ReduceSum', grad2, [1], false, `${id}/loop/sq_norm`)], {}, `${id}/loop/grad_norm`); // [G]
  const stepsNext = body.op('Add', [steps, body.op('Cast', [active], { to: { i: 11 } }, `${id}/loop/active64`)], {}, `${id}/loop/steps_next`);
  const b1 = 0.9;
  const b2 = 0.999;
  const mNext = body.op('Add', [body.op('Mul', [d(b1), m], {}, `${id}/loop/m_decay`), body.op('Mul', [d(1 - b1), grad], {}, `${id}/loop/m_new`)], {}, `${id}/loop/m_next`);
  const vNext = body.op('Add', [body.op('Mul', [d(b2), v], {}, `${id}/loop/v_decay`), body.op('Mul', [d(1 - b2), grad2], {}, `${id}/loop/v_new`)], {}, `${id}/loop/v_next`);
  const t = bodyUnsqueeze(stepsNext, [1], `${id}/loop/t`);
  const mHat = body.op('Div', [mNext, body.op('Sub', [d(1), body.op('Pow', [d(b1), t], {}, `${id}/loop/b1t`)], {}, `${id}/loop/c1`)], {}, `${id}/loop/m_hat`);
  const vHat = body.op('Div', [vNext, body.op('Sub', [d(1), body.op('Pow', [d(b2), t], {}, `${id}/loop/b2t`)], {}, `${id}/loop/c2`)], {}, `${id}/loop/v_hat`);
  const update = body.op('Div', [body.op('Mul', [d(a.lr), mHat], {}, `${id}/loop/lr_m`), body.op('Add', [body.op('Sqrt', [vHat], {}, `${id}/loop/sqrt_v`), d(1e-8)], {}, `${id}/loop/denom`)], {}, `${id}/loop/update`);
  const alphaNext = body.op('Sub', [alpha, update], {}, `${id}/loop/alpha_step`);
  const outs = ['cond_out', 'alpha_out', 'm_out', 'v_out', 'steps_out', 'norm_out'].map(n) as [string, string, string, string, string, string];
  body.addNode('Where', [activeColumn, alphaNext, alpha], [outs[1]]);
  body.addNode('Where', [activeColumn, mNext, m], [outs[2]]);
  body.addNode('Where', [activeColumn, vNext, v], [outs[3]]);
  body.addNode('Identity', [stepsNext], [outs[4]]);
  body.addNode('Where', [active, gradNorm, norm], [outs[5]]);
  // Go on while some group's last gradient norm is above tol (every group has taken its first step).
  const anyAbove = bodyReduce('ReduceMax', body.op('Cast', [body.op('Greater', [outs[5], d(a.tol)], {}, `${id}/loop/still`)], { to: { i: 11 } }, `${id}/loop/still64`), undefined, false, `${id}/loop/any`);
  body.addNode('Greater', [anyAbove, d(0)], [outs[0]]);

  const f64 = (name: string, rank: number) => valueInfo(name, 'float64', Array.from({ length: rank }, (_, i) => `${name}_d${i}`));
  const bodyProto = body.toProto(
    `${id}/solver`,
    [valueInfo(iter, 'int64', []), valueInfo(condIn, 'bool', []), f64(alpha, 2), f64(m, 2), f64(v, 2), f64(steps, 1), f64(norm, 1)],
    [valueInfo(outs[0], 'bool', []), f64(outs[1], 2), f64(outs[2], 2), f64(outs[3], 2), f64(outs[4], 1), f64(outs[5], 1)],
    false,
  );
  const [alphaFinal] = g.opN('Loop', [g.int64s([a.iterations]), g.constant('bool', [], [1], 'true'), alpha0, m0, v0, steps0, norm0], 5, { body: { g: bodyProto } }, `${id}/solver`);
  const yFinal = columnSolutions(g, ctx.reduce, ctx.unsqueeze, probs, alphaFinal!, a, b, `${id}/final`);
  const plan = g.op('Transpose', [g.op('Mul', [yFinal, g.scalar('float64', b)], {}, `${id}/b_y`)], { perm: { ints: [0, 2, 1] } }, `${id}/plan64`);
  return cast(ctx, { name: plan, dtype: 'float64' }, 'float32', id);
}

/** The solvers need the static group size S and expert count E of their input [G,S,E]. */
export function solverEmitters(shapes: ReadonlyMap<string, readonly (number | string)[]>) {
  const groupShape = (node: OpNode, ctx: EmitContext): [number, number] => {
    const s = shapes.get(node.inputs[0]!) ?? [];
    const [, S, E] = s;
    if (s.length !== 3 || typeof S !== 'number' || typeof E !== 'number') ctx.unsupported(`${node.op} expects [groups, tokens, experts] with static tokens and experts, got [${s.join(', ')}]`);
    return [S, E];
  };
  return {
    sinkhorn_plan: (node, [x], ctx) => sinkhornPlan(node, x!, ctx, ...groupShape(node, ctx)),
    sparse_ot_plan: (node, [x], ctx) => sparseOtPlan(node, x!, ctx, ...groupShape(node, ctx)),
  } satisfies EmitTable<'sinkhorn_plan' | 'sparse_ot_plan'>;
}

// Values derived from a model's fields that several rules and the builder need:
// typed fields, tokens per image, the blocks a selector picks, a router's typed
// parameters with defaults, and its resolved capacity (routers.md §3).
import type { BlockSelector } from '../../grammar/ast.ts';
import type { Span } from '../../diagnostics/diagnostic.ts';
import type { ModelContext } from '../resolve/model-context.ts';
import type { ArgValue, CallValue } from '../resolve/values.ts';
import type { Rounding } from '../model.ts';
import { readValue } from './read.ts';
import type { Typed } from './read.ts';
import { MODEL_FIELDS, ROUTER_FAMILIES, ROUTER_PARAMS } from './schema.ts';
import type { RouterFamily } from './schema.ts';

export interface TypedModelFields {
  image?: readonly number[];
  patch?: readonly number[];
  width?: number;
  depth?: number;
  heads?: number;
  mlp?: number;
  classes?: number;
  pool: 'gap' | 'cls';
  dropout: number;
  posemb: 'learned' | 'sincos2d';
}

/** The valid fields of a model (invalid or missing ones undefined; defaults filled in). */
export function typedModelFields(ctx: ModelContext): TypedModelFields {
  const get = (name: string): Typed | undefined => {
    const f = ctx.fields.get(name);
    const spec = MODEL_FIELDS[name];
    if (!f || !spec) return undefined;
    return readValue(spec.type, f.value, name).value;
  };
  return {
    image: get('image') as number[] | undefined,
    patch: get('patch') as number[] | undefined,
    width: get('width') as number | undefined,
    depth: get('depth') as number | undefined,
    heads: get('heads') as number | undefined,
    mlp: get('mlp') as number | undefined,
    classes: get('classes') as number | undefined,
    pool: (get('pool') as 'gap' | 'cls' | undefined) ?? 'gap',
    dropout: (get('dropout') as number | undefined) ?? 0,
    posemb: (get('posemb') as 'learned' | 'sincos2d' | undefined) ?? 'learned',
  };
}

/** Tokens per image entering the encoder, when the patch divides the image. */
export function tokensOf(m: TypedModelFields): number | undefined {
  if (!m.image || !m.patch) return undefined;
  const [h, w] = m.image;
  const [ph, pw] = m.patch;
  if (h % ph !== 0 || w % pw !== 0) return undefined;
  return (h / ph) * (w / pw) + (m.pool === 'cls' ? 1 : 0);
}

export interface SelectorProblem {
  readonly kind: 'out_of_range' | 'empty' | 'bad_step';
  readonly span: Span;
  readonly message: string;
}

export interface Selection {
  readonly blocks: readonly number[];
  readonly problems: readonly SelectorProblem[];
}

/** The blocks a selector picks at a given depth, in increasing order, and what is wrong with it. */
export function selectBlocks(sel: BlockSelector, depth: number): Selection {
  const problems: SelectorProblem[] = [];
  const picked = new Set<number>();
  const outside = (n: number, span: Span): void => {
    problems.push({ kind: 'out_of_range', span, message: `block ${n} does not exist: the model has blocks 0 … ${depth - 1}` });
  };
  switch (sel.kind) {
    case 'AllSelector':
      for (let i = 0; i < depth; i++) picked.add(i);
      break;
    case 'FirstSelector':
    case 'LastSelector': {
      const n = sel.count.value;
      if (n > depth) {
        problems.push({ kind: 'out_of_range', span: sel.count.span, message: `the model has only ${depth} blocks, so '${sel.kind === 'FirstSelector' ? 'first' : 'last'} ${n}' reaches past them` });
        break;
      }
      for (let i = 0; i < n; i++) picked.add(sel.kind === 'FirstSelector' ? i : depth - n + i);
      break;
    }
    case 'EverySelector': {
      const k = sel.step.value;
      if (k < 1) {
        problems.push({ kind: 'bad_step', span: sel.step.span, message: `'every' needs a step of at least 1` });
        break;
      }
      const start = sel.from ? sel.from.value : k - 1;
      if (sel.from && start >= depth) {
        outside(start, sel.from.span);
        break;
      }
      for (let i = start; i < depth; i += k) picked.add(i);
      break;
    }
    case 'ListSelector':
      for (const item of sel.items) {
        if (item.kind === 'IndexItem') {
          const i = item.index.value;
          if (i >= depth) outside(i, item.span);
          else picked.add(i);
        } else {
          const a = item.from.value;
          const b = item.to.value;
          if (a > b) {
            problems.push({ kind: 'empty', span: item.span, message: `the range ${a}..${b} is empty (ranges are written low..high, inclusive)` });
            continue;
          }
          if (b >= depth) outside(b, item.to.span);
          for (let i = a; i <= Math.min(b, depth - 1); i++) picked.add(i);
        }
      }
      break;
  }
  if (problems.length === 0 && picked.size === 0) {
    problems.push({ kind: 'empty', span: sel.span, message: 'this selector selects no block' });
  }
  return { blocks: [...picked].sort((x, y) => x - y), problems };
}

// ---------------------------------------------------------------- routers

export function routerFamily(call: CallValue): RouterFamily | undefined {
  return (ROUTER_FAMILIES as readonly string[]).includes(call.callee) ? (call.callee as RouterFamily) : undefined;
}

/** The router's arguments by name (the last one wins; duplicates are reported by a rule). */
export function routerArgs(call: CallValue): Map<string, ArgValue> {
  const map = new Map<string, ArgValue>();
  for (const a of call.args) if (a.name && !map.has(a.name)) map.set(a.name, a);
  return map;
}

/** A parameter's valid typed value, or undefined. */
export function typedRouterParam(call: CallValue, name: string): Typed | undefined {
  const arg = routerArgs(call).get(name);
  const spec = ROUTER_PARAMS[name];
  if (!arg || !spec) return undefined;
  return readValue(spec.type, arg.value, name).value;
}

/** Python's round(): halves to even (vmoe's `ceil_or_round="round"`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface CapacityResult {
  /** Before multiple_of. */
  readonly raw: number;
  /** Slots per expert per group. */
  readonly capacity: number;
  /** c' such that the slots equal the balanced share exactly: C·E / tokens. */
  readonly effectiveFactor: number;
}

/** vmoe `compute_capacity(num_tokens, E, c, ceil_or_round, multiple_of)`. */
export function computeCapacity(numTokens: number, experts: number, factor: number, rounding: Rounding, multipleOf: number): CapacityResult {
  const exact = (numTokens * factor) / experts;
  // Guard against binary noise such as 6.000000000001 before ceil.
  const raw = rounding === 'ceil' ? Math.ceil(exact - 1e-9) : roundHalfEven(exact);
  const capacity = multipleOf > 1 && raw >= 1 ? Math.ceil(raw / multipleOf) * multipleOf : raw;
  return { raw, capacity, effectiveFactor: (capacity * experts) / numTokens };
}

export interface RouterSettings {
  readonly family: RouterFamily;
  readonly normalize: 'softmax' | 'sinkhorn' | 'sparsity';
  readonly experts?: number;
  readonly k: number;
  readonly capacityFactor: number;
  readonly capacityGiven: boolean;
  readonly slots?: number;
  readonly rounding: Rounding;
  readonly multipleOf: number;
  readonly group: number;
  readonly bpr: boolean;
  readonly noise: number;
  readonly importanceLoss: number;
  readonly loadLoss: number;
  readonly iterations: number;
  readonly combine: 'softmax' | 'plan';
}

/** The router's parameters with every default filled in (language.md §4); undefined for an unknown family. */
export function routerSettings(call: CallValue, tokens: number): RouterSettings | undefined {
  const family = routerFamily(call);
  if (!family) return undefined;
  const p = (name: string) => typedRouterParam(call, name);
  const normalize = family === 'soft' ? 'softmax' : ((p('normalize') as RouterSettings['normalize'] | undefined) ?? 'softmax');
  const tc = family === 'token_choice';
  const auxDefault = tc && normalize === 'softmax' ? 0.005 : 0;
  return {
    family,
    normalize,
    experts: p('experts') as number | undefined,
    k: tc ? ((p('k') as number | undefined) ?? 1) : 1,
    capacityFactor: (p('capacity') as number | undefined) ?? 1.0,
    capacityGiven: routerArgs(call).has('capacity'),
    slots: family === 'soft' ? (p('slots') as number | undefined) : undefined,
    rounding: (p('rounding') as Rounding | undefined) ?? (tc ? 'ceil' : 'round'),
    multipleOf: family === 'soft' ? 1 : ((p('multiple_of') as number | undefined) ?? (tc ? 4 : 1)),
    group: (p('group') as number | undefined) ?? tokens,
    bpr: tc ? ((p('bpr') as boolean | undefined) ?? false) : false,
    noise: (p('noise') as number | undefined) ?? (family === 'soft' || normalize === 'sparsity' ? 0 : 1.0),
    importanceLoss: tc ? ((p('importance_loss') as number | undefined) ?? auxDefault) : 0,
    loadLoss: tc ? ((p('load_loss') as number | undefined) ?? auxDefault) : 0,
    iterations: (p('iterations') as number | undefined) ?? 20,
    combine: (p('combine') as 'softmax' | 'plan' | undefined) ?? 'softmax',
  };
}

/** Slots per expert per group, as routers.md §3 computes them. */
export function routerCapacity(s: RouterSettings): CapacityResult | undefined {
  if (s.experts === undefined) return undefined;
  if (s.family === 'soft' && (s.slots !== undefined || !s.capacityGiven)) {
    // Soft MoE: `slots` when given, else 1 unless a capacity factor asks for round(S·c/E).
    const slots = s.slots ?? 1;
    return { raw: slots, capacity: slots, effectiveFactor: (slots * s.experts) / s.group };
  }
  const numTokens = s.family === 'token_choice' ? s.group * s.k : s.group;
  return computeCapacity(numTokens, s.experts, s.capacityFactor, s.rounding, s.multipleOf);
}

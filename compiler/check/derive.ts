// Values derived from a model's fields that the check context (context.ts) and
// the builder need: typed fields, tokens per image, the blocks a selector picks.
import type { BlockSelector } from '../../grammar/ast.ts';
import type { Span } from '../../diagnostics/diagnostic.ts';
import type { ModelContext } from '../resolve/model-context.ts';
import { readValue } from './read.ts';
import type { Typed } from './read.ts';
import { MODEL_FIELDS } from './schema.ts';

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

// Capacity arithmetic lives with the router table (compiler/routers/capacity.ts).
export { computeCapacity, roundHalfEven } from '../routers/capacity.ts';
export type { CapacityResult } from '../routers/capacity.ts';

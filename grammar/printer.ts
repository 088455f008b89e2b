// The canonical layout of .moe files (docs/cli.md, "moec fmt"):
//  - one declaration after another; a blank line around every model and train
//    declaration; consecutive imports or routers keep (at most one) blank line from the source;
//  - bodies indented by 2 spaces, one field or block rule per line, `name: value` with one
//    space after the colon (values are not aligned), no commas between members;
//  - calls on one line: `adamw(lr: 1e-3, weight_decay: 1e-4)`; binary operators between
//    spaces, unary signs attached; parentheses exactly as written;
//  - blank lines inside bodies kept from the source (at most one), none after `{` or before `}`;
//  - comments kept: own-line comments stay on their own line at the current indentation,
//    trailing comments stay after their member (one space before `#`); a comment written
//    inside a multi-line member moves to its own line just before that member;
//  - exactly one newline at the end of the file.
import type * as A from './ast.ts';

const INDENT = '  ';

// ------------------------------------------------------------------ expressions

function precedence(e: A.Expression): number {
  switch (e.kind) {
    case 'BinaryExpression':
      return e.operator === '+' || e.operator === '-' ? 1 : 2;
    case 'UnaryExpression':
      return 3;
    default:
      return 4;
  }
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function printExpression(e: A.Expression): string {
  switch (e.kind) {
    case 'Identifier':
      return e.name;
    case 'NumberLiteral':
      return e.raw || String(e.value);
    case 'StringLiteral':
      return quote(e.value);
    case 'BooleanLiteral':
      return e.value ? 'true' : 'false';
    case 'DimensionLiteral':
      return e.raw || e.dims.join('x');
    case 'ParenExpression':
      return `(${printExpression(e.expression)})`;
    case 'UnaryExpression': {
      const inner = printExpression(e.operand);
      return precedence(e.operand) < 3 ? `${e.operator}(${inner})` : `${e.operator}${inner}`;
    }
    case 'BinaryExpression': {
      const p = precedence(e);
      const left = printExpression(e.left);
      const right = printExpression(e.right);
      const l = precedence(e.left) < p ? `(${left})` : left;
      const r = precedence(e.right) <= p ? `(${right})` : right;
      return `${l} ${e.operator} ${r}`;
    }
    case 'CallExpression':
      return printCall(e);
  }
}

function printArgument(a: A.Argument): string {
  return a.name ? `${a.name.name}: ${printExpression(a.value)}` : printExpression(a.value);
}

function printCall(c: A.CallExpression): string {
  return `${c.callee.name}(${c.args.map(printArgument).join(', ')})`;
}

function printSelector(s: A.BlockSelector): string {
  switch (s.kind) {
    case 'AllSelector':
      return 'all';
    case 'FirstSelector':
      return `first ${printExpression(s.count)}`;
    case 'LastSelector':
      return `last ${printExpression(s.count)}`;
    case 'EverySelector':
      return s.from ? `every ${printExpression(s.step)} from ${printExpression(s.from)}` : `every ${printExpression(s.step)}`;
    case 'ListSelector':
      return s.items
        .map((item) => (item.kind === 'RangeItem' ? `${printExpression(item.from)}..${printExpression(item.to)}` : printExpression(item.index)))
        .join(', ');
  }
}

function printLayer(l: A.Layer): string {
  if (l.kind === 'DenseLayer') return 'dense';
  const router = l.router.kind === 'Identifier' ? l.router.name : printCall(l.router);
  return `moe(${[router, ...l.args.map(printArgument)].join(', ')})`;
}

/** Where a member's value starts: `name:` or `blocks SELECTOR:`. */
function memberLabel(m: A.Field | A.BlockRule): string {
  return m.kind === 'Field' ? `${m.name.name}:` : `blocks ${printSelector(m.selector)}:`;
}

/**
 * `name: value`, with values aligned in one column per body: fields to the longest
 * field label, block rules to the longest block label (the style of language.md).
 */
function printMember(m: A.Field | A.BlockRule, labelWidth: number): string {
  const value = m.kind === 'Field' ? printExpression(m.value) : printLayer(m.layer);
  return `${memberLabel(m).padEnd(labelWidth)} ${value}`;
}

function labelWidths(members: readonly (A.Field | A.BlockRule)[]): Record<'Field' | 'BlockRule', number> {
  const widths = { Field: 0, BlockRule: 0 };
  for (const m of members) widths[m.kind] = Math.max(widths[m.kind], memberLabel(m).length);
  return widths;
}

function printHeader(d: A.Declaration): string {
  switch (d.kind) {
    case 'ImportDeclaration':
      return `import ${quote(d.path.value)}`;
    case 'RouterDeclaration':
      return `router ${d.name.name} = ${printCall(d.value)}`;
    case 'ModelDeclaration':
      return `model ${d.name.name}${d.base ? ` extends ${d.base.name}` : ''} {`;
    case 'TrainDeclaration':
      return `train ${d.name.name} {`;
  }
}

// ------------------------------------------------------------------ layout with comments

/** One printed line-group with the source lines it came from (for blank-line decisions). */
interface Entry {
  readonly lines: string[];
  readonly startLine: number;
  readonly endLine: number;
  /** For top-level entries: the declaration this entry is or leads (comments right above it). */
  readonly owner?: A.Declaration;
  readonly isDeclaration?: boolean;
}

class CommentCursor {
  private next = 0;
  constructor(private readonly comments: readonly A.Comment[]) {}

  /** Comments starting before `offset`, not yet printed. */
  takeBefore(offset: number): A.Comment[] {
    const out: A.Comment[] = [];
    while (this.next < this.comments.length && this.comments[this.next].span.start.offset < offset) out.push(this.comments[this.next++]);
    return out;
  }

  /** The next comment if it starts on `line` before `limit` (a trailing comment). */
  takeTrailing(line: number, limit: number): A.Comment | undefined {
    const c = this.comments[this.next];
    if (c && c.span.start.line === line && c.span.start.offset < limit) {
      this.next++;
      return c;
    }
    return undefined;
  }

  rest(): A.Comment[] {
    return this.takeBefore(Infinity);
  }
}

function commentText(c: A.Comment): string {
  return `#${c.text}`.trimEnd();
}

function commentEntry(c: A.Comment, indent: string, owner?: A.Declaration): Entry {
  return { lines: [indent + commentText(c)], startLine: c.span.start.line, endLine: c.span.end.line, ...(owner ? { owner } : {}) };
}

function withTrailing(line: string, c: A.Comment | undefined): string {
  return c ? `${line} ${commentText(c)}` : line;
}

/** Joins entries, keeping at most one blank line where the source had one (or `forceBlank` says so). */
function joinEntries(entries: readonly Entry[], forceBlank: (prev: Entry, next: Entry) => boolean): string[] {
  const out: string[] = [];
  entries.forEach((e, i) => {
    if (i > 0) {
      const prev = entries[i - 1];
      if (e.startLine - prev.endLine > 1 || forceBlank(prev, e)) out.push('');
    }
    out.push(...e.lines);
  });
  return out;
}

function printBody(d: A.ModelDeclaration | A.TrainDeclaration, cursor: CommentCursor): string[] {
  const members: readonly (A.Field | A.BlockRule)[] = d.kind === 'ModelDeclaration' ? d.members : d.fields;
  const end = d.span.end.offset;
  const firstStart = members[0]?.span.start.offset ?? end;
  const headerComment = cursor.takeTrailing(d.span.start.line, firstStart);
  const entries: Entry[] = [];
  const widths = labelWidths(members);
  members.forEach((m, i) => {
    // Comments above the member, then any written inside it (moved above it).
    for (const c of cursor.takeBefore(m.span.end.offset)) entries.push(commentEntry(c, INDENT));
    const limit = members[i + 1]?.span.start.offset ?? end;
    const trailing = cursor.takeTrailing(m.span.end.line, limit);
    entries.push({ lines: [withTrailing(INDENT + printMember(m, widths[m.kind]), trailing)], startLine: m.span.start.line, endLine: m.span.end.line });
  });
  for (const c of cursor.takeBefore(end)) entries.push(commentEntry(c, INDENT));
  const header = withTrailing(printHeader(d), headerComment);
  if (entries.length === 0 && !headerComment) return [`${printHeader(d)}}`];
  return [header, ...joinEntries(entries, () => false), '}'];
}

function printDeclaration(d: A.Declaration, cursor: CommentCursor): string[] {
  if (d.kind === 'ModelDeclaration' || d.kind === 'TrainDeclaration') return printBody(d, cursor);
  return [printHeader(d)];
}

const isBlockDeclaration = (d: A.Declaration | undefined) => d?.kind === 'ModelDeclaration' || d?.kind === 'TrainDeclaration';

/** Prints a file in the canonical layout (comments from `file.comments` included). */
export function printSpec(file: A.SpecFile): string {
  const cursor = new CommentCursor([...file.comments].sort((a, b) => a.span.start.offset - b.span.start.offset));
  const entries: Entry[] = [];
  for (const d of file.declarations) {
    // Comments inside a one-line-form declaration (a router written over several lines) go above it.
    const before = isBlockDeclaration(d) ? d.span.start.offset : d.span.end.offset;
    for (const c of cursor.takeBefore(before)) entries.push(commentEntry(c, '', d));
    const lines = printDeclaration(d, cursor);
    const trailing = cursor.takeTrailing(d.span.end.line, Infinity);
    lines[lines.length - 1] = withTrailing(lines[lines.length - 1], trailing);
    entries.push({ lines, startLine: d.span.start.line, endLine: d.span.end.line, owner: d, isDeclaration: true });
  }
  for (const c of cursor.rest()) entries.push(commentEntry(c, ''));
  const lines = joinEntries(entries, (prev, next) => {
    // A blank line between two declarations (or a declaration and the comments leading the next)
    // when either is a model or train, or when their kinds differ.
    if (!prev.isDeclaration || !next.owner || !prev.owner) return false;
    return isBlockDeclaration(prev.owner) || isBlockDeclaration(next.owner) || prev.owner.kind !== next.owner.kind;
  });
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

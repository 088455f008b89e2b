// parse(text, path): lex, split into declarations, parse each with the shared Chevrotain
// parser, turn its errors into diagnostics and build the AST. Never throws on any input.
//
// Splitting at declaration keywords (`import`, `router`, `model`, `train` not followed
// by ':') makes recovery robust: an error inside one declaration never hides the next.
import { tokenMatcher, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type * as A from './ast.ts';
import type { Diagnostic, Span } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/catalogue.ts';
import { lex } from './lexer.ts';
import { parseDeclaration } from './parser.ts';
import { AstBuilder } from './build-ast.ts';
import { decode, FOUND } from './errors.ts';
import { LineMap, isRealToken, tokenEnd, tokenSpan } from './source.ts';
import * as t from './tokens.ts';

export interface ParseResult {
  readonly file: A.SpecFile;
  readonly diagnostics: Diagnostic[];
}

/** Parentheses, unary signs and binary operators one expression may hold before we refuse it
 * (keeps recursion in the parser and in later phases far from the stack limit). */
export const MAX_EXPRESSION_DEPTH = 200;

const declarationTypes = new Set<TokenType>(t.declarationStarts);
const operatorTypes = new Set<TokenType>([t.Plus, t.Minus, t.Star, t.Slash, t.Percent]);
const resetTypes = new Set<TokenType>([t.Colon, t.Comma, t.LCurly, t.RCurly]);
const isDeclarationKeyword = (tok: IToken | undefined) => tok !== undefined && declarationTypes.has(tok.tokenType);

/** `model` etc. start a declaration unless used as a field name (`model: x`) or in name
 * position (`model model {`, reported there as a reserved word). */
function startsDeclaration(tokens: readonly IToken[], i: number): boolean {
  if (!isDeclarationKeyword(tokens[i])) return false;
  const next = tokens[i + 1];
  if (next !== undefined && next.tokenType === t.Colon) return false;
  const prev = tokens[i - 1];
  return !(isDeclarationKeyword(prev) || prev?.tokenType === t.Extends);
}

function describe(token: IToken): string {
  const image = token.image.length > 24 ? token.image.slice(0, 24) + '…' : token.image;
  if (tokenMatcher(token, t.Keyword)) return `keyword '${image}'`;
  return `'${image}'`;
}

/** The first token where an expression gets too deep or too long, if any. */
function findTooDeep(tokens: readonly IToken[]): IToken | undefined {
  let parens = 0;
  let ops = 0;
  for (const tok of tokens) {
    const type = tok.tokenType;
    if (type === t.LParen) parens++;
    else if (type === t.RParen) parens = Math.max(0, parens - 1);
    else if (operatorTypes.has(type)) ops++;
    else if (resetTypes.has(type)) ops = 0;
    if (parens + ops > MAX_EXPRESSION_DEPTH) return tok;
  }
  return undefined;
}

export function parse(text: string, path: string): ParseResult {
  const lines = new LineMap(text);
  const lexed = lex(text, path, lines);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const tokens = lexed.tokens;
  const builder = new AstBuilder(path, diagnostics);
  const declarations: A.Declaration[] = [];

  const indexOf = (token: IToken): number => {
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const o = tokens[mid].startOffset;
      if (o === token.startOffset) return mid;
      if (o < token.startOffset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  const lexerErrorOffsets = lexed.diagnostics.filter((d) => d.code === 'MOE0103').map((d) => d.span!.start.offset);
  const starts: number[] = [];
  for (let i = 0; i < tokens.length; i++) if (startsDeclaration(tokens, i)) starts.push(i);

  const firstStart = starts[0] ?? tokens.length;
  if (firstStart > 0) {
    diagnostics.push(
      diagnostic('MOE0108', `expected a declaration (import, router, model or train), found ${describe(tokens[0])}`, tokenSpan(path, tokens[0]), {
        help: 'every file is a list of declarations: import "…", router NAME = …, model NAME { … }, train NAME { … }',
      }),
    );
  }

  const lastToken = tokens.at(-1);
  const endOfFile: Span = lastToken ? { file: path, start: tokenEnd(lastToken), end: tokenEnd(lastToken) } : lines.span(path, 0, 0);

  for (let s = 0; s < starts.length; s++) {
    const chunk = tokens.slice(starts[s], starts[s + 1] ?? tokens.length);
    const following = tokens[starts[s + 1]];
    const tooDeep = findTooDeep(chunk);
    if (tooDeep) {
      diagnostics.push(
        diagnostic('MOE0109', `expression is nested too deeply or is too long (more than ${MAX_EXPRESSION_DEPTH} operators and parentheses)`, tokenSpan(path, tooDeep), {
          help: 'split it into smaller fields',
        }),
      );
      continue;
    }
    let result: ReturnType<typeof parseDeclaration>;
    try {
      result = parseDeclaration(chunk);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      diagnostics.push(diagnostic('MOE0109', 'declaration is nested too deeply to parse', tokenSpan(path, chunk[0])));
      continue;
    }
    for (const d of convertErrors(result.errors, { path, tokens, indexOf, lexerErrorOffsets, following, endOfFile })) diagnostics.push(d);
    if (result.cst) {
      const decl = builder.declaration(result.cst);
      if (decl) declarations.push(decl);
    }
  }

  const comments: A.Comment[] = lexed.comments.map((c) => ({ kind: 'Comment', text: c.image.slice(1), span: tokenSpan(path, c) }));
  const file: A.SpecFile = { kind: 'SpecFile', path, declarations, comments, span: lines.span(path, 0, text.length) };
  return { file, diagnostics: dedupe(diagnostics) };
}

interface ErrorContext {
  readonly path: string;
  readonly tokens: readonly IToken[];
  /** Token index of a token (binary search by offset; tokens are in source order). */
  readonly indexOf: (token: IToken) => number;
  /** Start offsets of lexer errors (skipped characters), sorted. */
  readonly lexerErrorOffsets: readonly number[];
  /** The first token of the next declaration, if any. */
  readonly following: IToken | undefined;
  readonly endOfFile: Span;
}

function convertErrors(errors: readonly IRecognitionException[], cx: ErrorContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  let lastLine = -1;
  let lastIndex = -2;
  for (const err of errors) {
    const { code, message } = decode(err.message);
    const real = isRealToken(err.token);
    const token = real ? err.token : cx.following;
    let finalCode = code ?? 'MOE0101';
    let found: string;
    let index: number;
    if (token) {
      found = describe(token);
      index = cx.indexOf(token);
    } else {
      found = 'end of file';
      index = cx.tokens.length;
      if (code === null) finalCode = 'MOE0106';
    }
    const previous = cx.tokens[index - 1];
    // Cascades: an error right after the previous one, or next to characters the lexer skipped.
    if (index === lastIndex + 1 || index === lastIndex) continue;
    const gapStart = previous ? tokenEnd(previous).offset : 0;
    const gapEnd = token ? token.startOffset : Infinity;
    if (cx.lexerErrorOffsets.some((o) => o >= gapStart && o < gapEnd)) continue;
    // "expected X" is shown right after the previous token when the offending one is on a later line.
    let span: Span;
    if (message.startsWith('expected') && previous && (!token || previous.startLine !== token.startLine)) {
      const at = tokenEnd(previous);
      span = { file: cx.path, start: at, end: at };
    } else if (token) {
      span = tokenSpan(cx.path, token);
    } else {
      span = cx.endOfFile;
    }
    if (span.start.line === lastLine) continue;
    lastLine = span.start.line;
    lastIndex = index;
    out.push(diagnostic(finalCode, message.split(FOUND).join(found), span));
  }
  return out;
}

/** Recovery can report the same place twice; keep the first diagnostic per position. */
function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.span?.start.offset ?? -1}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

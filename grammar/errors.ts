// Short, human error messages for the parser (never Chevrotain's raw "NoViableAlt" dumps).
// The provider cannot see the whole token stream, so it returns a small JSON envelope:
// a code (or null: decided later from the token) and a message with a FOUND marker
// that grammar/parse.ts replaces with a description of the offending token.
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { tokenMatcher } from 'chevrotain';
import * as t from './tokens.ts';

export const FOUND = '\u0000FOUND\u0000';

export interface EncodedMessage {
  readonly code: string | null;
  readonly message: string;
}

function encode(message: string, code: string | null = null): string {
  return JSON.stringify({ code, message } satisfies EncodedMessage);
}

export function decode(raw: string): EncodedMessage {
  try {
    const value = JSON.parse(raw) as EncodedMessage;
    if (typeof value.message === 'string') return value;
  } catch {
    // fall through: a message Chevrotain built itself
  }
  return { code: null, message: `syntax error: ${raw.split('\n')[0].slice(0, 120)}` };
}

function image(token: IToken | undefined): string {
  const text = token?.image ?? '';
  return text.length > 24 ? text.slice(0, 24) + '…' : text;
}

function isKeyword(token: IToken | undefined): boolean {
  return token?.tokenType !== undefined && tokenMatcher(token, t.Keyword);
}

function is(token: IToken | undefined, type: TokenType): boolean {
  return token?.tokenType !== undefined && tokenMatcher(token, type);
}

const declKind: Record<string, string> = { modelDecl: 'model', trainDecl: 'train' };

function nameExpected(ruleName: string, previous: IToken | undefined): string {
  switch (ruleName) {
    case 'modelDecl':
      return is(previous, t.Extends) ? "the base model's name after 'extends'" : "a model name after 'model'";
    case 'routerDecl':
      return "a router name after 'router'";
    case 'trainDecl':
      return "a name after 'train'";
    case 'call':
      return "a router kind such as 'soft' after '='";
    case 'field':
      return 'a field name';
    case 'routerRef':
      return "a router name or an inline router such as soft(experts: 8) after 'moe('";
    default:
      return 'a name';
  }
}

function mismatch(expected: TokenType, actual: IToken, previous: IToken | undefined, ruleName: string): string {
  const prev = image(previous);
  if (expected === t.Identifier) {
    const what = nameExpected(ruleName, previous);
    if (isKeyword(actual)) {
      return encode(`expected ${what}, found reserved keyword '${image(actual)}'`, 'MOE0104');
    }
    return encode(`expected ${what}, found ${FOUND}`);
  }
  if (expected === t.Colon) {
    if (ruleName === 'field') return encode(`expected ':' after field name '${prev}', found ${FOUND}`);
    if (ruleName === 'blockRule') return encode(`expected ':' after the block selector, found ${FOUND}`);
    return encode(`expected ':' after '${prev}', found ${FOUND}`);
  }
  if (expected === t.Equals && ruleName === 'routerDecl') {
    return encode(`expected '=' after router name '${prev}', found ${FOUND}`);
  }
  if (expected === t.LCurly) {
    return encode(`expected '{' to start the body of the ${declKind[ruleName] ?? 'declaration'}, found ${FOUND}`);
  }
  if (expected === t.RCurly) {
    return encode(`expected '}' to close the ${declKind[ruleName] ?? 'declaration'} body, found ${FOUND}`);
  }
  if (expected === t.LParen) {
    return encode(`expected '(' after '${prev}' (a router is written KIND(ARGS), e.g. soft(experts: 8)), found ${FOUND}`);
  }
  if (expected === t.RParen) {
    if (ruleName === 'primary') return encode(`expected ')' to close '(', found ${FOUND}`);
    const what = ruleName === 'layer' ? "'moe('" : 'the argument list';
    if (is(previous, t.LParen) || is(previous, t.Comma)) return encode(`expected an argument or ')' to close ${what}, found ${FOUND}`);
    return encode(`expected ',' or ')' to close ${what}, found ${FOUND}`);
  }
  if (expected === t.StringLiteral && ruleName === 'importDecl') {
    return encode(`expected a file path in double quotes after 'import', found ${FOUND}`);
  }
  if (expected === t.NumberLiteral) {
    if (is(previous, t.First) || is(previous, t.Last)) return encode(`expected a number of blocks after '${prev}', found ${FOUND}`);
    if (is(previous, t.Every)) return encode(`expected a step after 'every', found ${FOUND}`);
    if (is(previous, t.From)) return encode(`expected a block index after 'from', found ${FOUND}`);
    if (is(previous, t.DotDot)) return encode(`expected the last block index of the range after '..', found ${FOUND}`);
    return encode(`expected a block index, found ${FOUND}`);
  }
  if (expected === t.FieldName) {
    return encode(`expected a field name, found ${FOUND}`);
  }
  return encode(`expected ${expected.LABEL ?? expected.name}, found ${FOUND}`);
}

function noViableAlt(actual: IToken | undefined, previous: IToken | undefined, ruleName: string): string {
  switch (ruleName) {
    case 'declaration':
      return encode(`expected a declaration (import, router, model or train), found ${FOUND}`, 'MOE0108');
    case 'member':
      return encode(`expected a field 'name: value' or a block rule 'blocks SELECTOR: LAYER', found ${FOUND}`);
    case 'selector':
      return encode(`expected a block selector (all, first N, last N, every K, A..B or a list) after 'blocks', found ${FOUND}`);
    case 'layer':
      return encode(`expected a layer ('dense' or 'moe(…)') after ':', found ${FOUND}`);
    case 'primary':
      return encode(`expected a value after '${image(previous)}', found ${FOUND}`);
    default:
      return encode(`unexpected ${FOUND}`);
  }
}

export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, previous, ruleName }) => mismatch(expected, actual, previous, ruleName),
  buildNotAllInputParsedMessage: () => encode(`unexpected ${FOUND} after the end of the declaration`, 'MOE0108'),
  buildNoViableAltMessage: ({ actual, previous, ruleName }) => noViableAlt(actual[0], previous, ruleName),
  buildEarlyExitMessage: ({ actual, previous, ruleName }) => noViableAlt(actual[0], previous, ruleName),
};

// The tokens of the .moe language (docs/language.md §2). Order matters: Chevrotain's
// lexer takes the first pattern that matches, so dimensions come before numbers,
// `..` before numbers (`.5`), keywords before identifiers (with `longer_alt` so
// `models` stays an identifier), and the unterminated-string catch-all after strings.
import { createToken, Lexer, type TokenType } from 'chevrotain';

/** Anything that may name a field or a call argument: identifiers and most keywords
 * (`model: x` in a train block, `mnist(train: 8000)`). `blocks` is left out so that
 * `blocks …` inside a model always starts a block rule (one-token lookahead). */
export const FieldName = createToken({ name: 'FieldName', pattern: Lexer.NA });
/** Every reserved word (used to explain "reserved keyword used as a name"). */
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA });

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: 'a name',
  categories: [FieldName],
});

function keyword(word: string, asFieldName = true): TokenType {
  return createToken({
    name: word[0].toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Identifier,
    label: `'${word}'`,
    categories: asFieldName ? [Keyword, FieldName] : [Keyword],
  });
}

export const Model = keyword('model');
export const Router = keyword('router');
export const Train = keyword('train');
export const Extends = keyword('extends');
export const Blocks = keyword('blocks', false);
export const Import = keyword('import');
export const All = keyword('all');
export const First = keyword('first');
export const Last = keyword('last');
export const Every = keyword('every');
export const From = keyword('from');
export const Dense = keyword('dense');
export const Moe = keyword('moe');
export const True = keyword('true');
export const False = keyword('false');

export const keywordTokens: readonly TokenType[] = [
  Model, Router, Train, Extends, Blocks, Import, All, First, Last, Every, From, Dense, Moe, True, False,
];
export const reservedWords: readonly string[] = keywordTokens.map((t) => (t.LABEL ?? '').replace(/'/g, ''));

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v\r\n\uFEFF]+/, group: Lexer.SKIPPED, line_breaks: true });
/** Comments are kept out of the parser's way but returned in `groups.comments` for the formatter. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });

export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/, label: 'a string' });
/** A string with no closing quote on its line; turned into a diagnostic and a StringLiteral by the lexer pass. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/ });
/** `224x224x3`: one token; must start with a digit so `x` alone stays an identifier. */
export const Dimension = createToken({ name: 'Dimension', pattern: /\d+(?:x\d+)+/, label: 'a dimension' });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./, label: "'..'" });
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+\.\d+|\d+|\.\d+)(?:[eE][+-]?\d+)?/,
  label: 'a number',
});

export const LCurly = createToken({ name: 'LCurly', pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /\}/, label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
/** `+` and `-` (binary, and unary signs). */
export const AdditiveOperator = createToken({ name: 'AdditiveOperator', pattern: Lexer.NA, label: "'+' or '-'" });
/** `*`, `/` and `%`. */
export const MultiplicativeOperator = createToken({ name: 'MultiplicativeOperator', pattern: Lexer.NA, label: "'*', '/' or '%'" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'", categories: [AdditiveOperator] });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'", categories: [AdditiveOperator] });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'", categories: [MultiplicativeOperator] });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'", categories: [MultiplicativeOperator] });
export const Percent = createToken({ name: 'Percent', pattern: /%/, label: "'%'", categories: [MultiplicativeOperator] });

export const allTokens: readonly TokenType[] = [
  WhiteSpace,
  Comment,
  StringLiteral,
  UnterminatedString,
  Dimension,
  DotDot,
  NumberLiteral,
  ...keywordTokens,
  Identifier,
  FieldName,
  Keyword,
  AdditiveOperator,
  MultiplicativeOperator,
  LCurly, RCurly, LParen, RParen, Colon, Comma, Equals, Plus, Minus, Star, Slash, Percent,
];

/** The tokens that start a top-level declaration (the parser re-synchronises on them). */
export const declarationStarts: readonly TokenType[] = [Import, Router, Model, Train];

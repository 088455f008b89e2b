// Lexing: Chevrotain's lexer plus a pass that turns its errors, unterminated strings and
// bad escapes into moec diagnostics. Never throws.
import { Lexer, type IToken } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/catalogue.ts';
import { allTokens, StringLiteral, UnterminatedString } from './tokens.ts';
import type { LineMap } from './source.ts';
import { tokenSpan } from './source.ts';

// One lexer for the process: building it validates and optimises the token set.
const moeLexer = new Lexer(allTokens as never, { ensureOptimizations: true, positionTracking: 'full' });

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
}

function describeChars(chars: string): string {
  const shown = chars.length > 16 ? chars.slice(0, 16) + '…' : chars;
  return JSON.stringify(shown).slice(1, -1).replace(/'/g, "\\'");
}

export function lex(text: string, file: string, lines: LineMap): LexResult {
  const result = moeLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];

  for (const err of result.errors) {
    const chars = text.substr(err.offset, err.length);
    const what = err.length === 1 ? `character '${describeChars(chars)}'` : `characters '${describeChars(chars)}'`;
    diagnostics.push(
      diagnostic('MOE0103', `unexpected ${what}`, lines.span(file, err.offset, err.offset + err.length), {
        help: 'remove it, or put it inside a string or a comment',
      }),
    );
  }

  const tokens = result.tokens.map((token) => {
    if (token.tokenType === UnterminatedString) {
      diagnostics.push(
        diagnostic('MOE0102', 'unterminated string', tokenSpan(file, token), {
          help: 'add a closing `"` before the end of the line',
        }),
      );
      // Continue as if the string were closed, so the parser does not report a cascade.
      return { ...token, tokenType: StringLiteral, tokenTypeIdx: StringLiteral.tokenTypeIdx! };
    }
    if (token.tokenType === StringLiteral) checkEscapes(token, file, diagnostics);
    return token;
  });

  return { tokens, comments: result.groups.comments ?? [], diagnostics };
}

function checkEscapes(token: IToken, file: string, diagnostics: Diagnostic[]): void {
  const image = token.image;
  for (let i = 1; i < image.length - 1; i++) {
    if (image[i] !== '\\') continue;
    const next = image[i + 1];
    if (next !== '"' && next !== '\\') {
      const start = token.startOffset + i;
      diagnostics.push(
        diagnostic('MOE0107', `invalid escape '\\${describeChars(next ?? '')}' in string`, {
          file,
          start: { line: token.startLine ?? 1, column: (token.startColumn ?? 1) + i, offset: start },
          end: { line: token.startLine ?? 1, column: (token.startColumn ?? 1) + i + 2, offset: start + 2 },
        }, { help: 'only \\" and \\\\ are escapes: write \\\\ for a backslash, or use / in paths' }),
      );
    }
    i++;
  }
}

/** The value of a string token: quotes removed, `\"` and `\\` unescaped (other escapes kept as written). */
export function unescapeString(image: string): string {
  const body = image.endsWith('"') && image.length >= 2 ? image.slice(1, -1) : image.slice(1);
  return body.replace(/\\(["\\])/g, '$1');
}

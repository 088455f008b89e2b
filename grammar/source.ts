// Positions and spans over one source text. Chevrotain tokens carry 1-based lines and
// columns and an inclusive end column; moec spans are half-open [start, end).
import type { IToken } from 'chevrotain';
import type { Position, Span } from '../diagnostics/diagnostic.ts';

/** A token that really is in the text (not one invented by error recovery, not EOF). */
export function isRealToken(token: IToken | undefined): token is IToken {
  return token !== undefined && !token.isInsertedInRecovery && Number.isFinite(token.startOffset) && token.image !== undefined && token.tokenType?.name !== 'EOF';
}

export function tokenStart(token: IToken): Position {
  return { line: token.startLine ?? 1, column: token.startColumn ?? 1, offset: token.startOffset };
}

export function tokenEnd(token: IToken): Position {
  // Tokens never span lines except whitespace (skipped), so the end is on endLine.
  return {
    line: token.endLine ?? token.startLine ?? 1,
    column: (token.endColumn ?? token.startColumn ?? 0) + 1,
    offset: (token.endOffset ?? token.startOffset) + 1,
  };
}

export function tokenSpan(file: string, token: IToken): Span {
  return { file, start: tokenStart(token), end: tokenEnd(token) };
}

export function joinSpans(first: Span, last: Span): Span {
  return { file: first.file, start: first.start, end: last.end.offset >= first.start.offset ? last.end : first.start };
}

/** Maps offsets to line/column for a text (for spans not taken from tokens, e.g. end of file). */
export class LineMap {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.lineStarts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.lineStarts.push(i + 1);
      }
    }
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.lineStarts[lo] + 1, offset: o };
  }

  span(file: string, start: number, end: number): Span {
    return { file, start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}

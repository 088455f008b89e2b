// Token-level behaviour: dimensions vs identifiers, numbers vs ranges, keywords, strings.
import { describe, expect, it } from 'vitest';
import { lex } from '../../grammar/lexer.ts';
import { LineMap } from '../../grammar/source.ts';

function tokens(text: string): string[] {
  return lex(text, 't.moe', new LineMap(text)).tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

function codes(text: string): string[] {
  return lex(text, 't.moe', new LineMap(text)).diagnostics.map((d) => d.code);
}

describe('lexer', () => {
  it('reads a dimension as one token only when it starts with a digit', () => {
    expect(tokens('224x224x3 16x16 x16 x 2x')).toEqual([
      'Dimension:224x224x3',
      'Dimension:16x16',
      'Identifier:x16',
      'Identifier:x',
      'NumberLiteral:2',
      'Identifier:x',
    ]);
  });

  it('reads every number form, and ranges without eating the dots', () => {
    expect(tokens('128 1.05 1e-3 .5 2E+4 0..2 3..11')).toEqual([
      'NumberLiteral:128',
      'NumberLiteral:1.05',
      'NumberLiteral:1e-3',
      'NumberLiteral:.5',
      'NumberLiteral:2E+4',
      'NumberLiteral:0',
      'DotDot:..',
      'NumberLiteral:2',
      'NumberLiteral:3',
      'DotDot:..',
      'NumberLiteral:11',
    ]);
  });

  it('reserves keywords but not identifiers that start with one', () => {
    expect(tokens('model models every everyone moe moex true truex')).toEqual([
      'Model:model',
      'Identifier:models',
      'Every:every',
      'Identifier:everyone',
      'Moe:moe',
      'Identifier:moex',
      'True:true',
      'Identifier:truex',
    ]);
  });

  it('keeps comments out of the token stream but returns them', () => {
    const result = lex('a # one\n# two\nb', 't.moe', new LineMap('a # one\n# two\nb'));
    expect(result.tokens.map((t) => t.image)).toEqual(['a', 'b']);
    expect(result.comments.map((t) => t.image)).toEqual(['# one', '# two']);
  });

  it('accepts \\" and \\\\ escapes and rejects others', () => {
    expect(tokens('"a\\"b\\\\c"')).toEqual(['StringLiteral:"a\\"b\\\\c"']);
    expect(codes('"a\\"b\\\\c"')).toEqual([]);
    expect(codes('"a\\nb"')).toEqual(['MOE0107']);
  });

  it('reports an unterminated string once and continues on the next line', () => {
    expect(codes('"abc\nmodel')).toEqual(['MOE0102']);
    expect(tokens('"abc\nmodel')).toEqual(['StringLiteral:"abc', 'Model:model']);
  });

  it('reports a run of invalid characters as one diagnostic', () => {
    const text = 'a @$ b ;';
    const result = lex(text, 't.moe', new LineMap(text));
    expect(result.diagnostics.map((d) => [d.code, d.message, d.span?.start.column])).toEqual([
      ['MOE0103', "unexpected characters '@$'", 3],
      ['MOE0103', "unexpected character ';'", 8],
    ]);
  });

  it('tracks lines across \\n, \\r\\n and \\r', () => {
    const text = 'a\r\nb\rc\nd';
    const result = lex(text, 't.moe', new LineMap(text));
    expect(result.tokens.map((t) => [t.image, t.startLine, t.startColumn])).toEqual([
      ['a', 1, 1],
      ['b', 2, 1],
      ['c', 3, 1],
      ['d', 4, 1],
    ]);
  });
});

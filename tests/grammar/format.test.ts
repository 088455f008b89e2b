// The formatter: idempotent, AST-preserving, comment-preserving, and never touching a
// file with syntax errors.
import { describe, expect, it } from 'vitest';
import { format, parse, printSpec } from '../../grammar/index.ts';
import { fixtures, languageExamples, withoutSpans } from './helpers.ts';

const inputs = [
  ...fixtures('valid').map((f) => ({ name: f.name, text: f.text })),
  ...languageExamples().map((e) => ({ name: `language.md:${e.line}`, text: e.text })),
];

const commentTexts = (text: string, name: string) => parse(text, name).file.comments.map((c) => c.text.trim());

describe('moec fmt', () => {
  for (const { name, text } of inputs) {
    it(`${name}: fmt(fmt(x)) == fmt(x), same AST, same comments`, () => {
      const once = format(text, name);
      expect(once.diagnostics).toEqual([]);
      expect(format(once.text, name).text).toBe(once.text);
      expect(withoutSpans(parse(once.text, name).file.declarations)).toEqual(withoutSpans(parse(text, name).file.declarations));
      expect(commentTexts(once.text, name)).toEqual(commentTexts(text, name));
    });
  }

  it('leaves the examples of language.md as they are: the canonical layout is the documented style', () => {
    for (const e of languageExamples()) expect(format(e.text, `language.md:${e.line}`).text).toBe(e.text);
  });

  it('aligns values in one column per body: fields together, block rules together', () => {
    const input = 'model m extends b { classes: 10, pool: cls\n blocks all: dense\n blocks last 3: moe(soft(experts: 8)) }\n';
    expect(format(input, 'x.moe').text).toBe(
      ['model m extends b {', '  classes: 10', '  pool:    cls', '  blocks all:    dense', '  blocks last 3: moe(soft(experts: 8))', '}', ''].join('\n'),
    );
  });

  it('lays out a crowded file canonically', () => {
    const input = 'router r=soft(experts:8)\nmodel m extends b{a:1,b:2*(c+1)   # why\nblocks 0..2,7:moe(r,mlp:64,)}\ntrain t{seed:0}';
    expect(format(input, 'x.moe').text).toBe(
      [
        'router r = soft(experts: 8)',
        '',
        'model m extends b {',
        '  a: 1',
        '  b: 2 * (c + 1) # why',
        '  blocks 0..2, 7: moe(r, mlp: 64)',
        '}',
        '',
        'train t {',
        '  seed: 0',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('keeps at most one blank line and none at the edges of a body', () => {
    const input = 'model m {\n\n\n  a: 1\n\n\n\n  b: 2\n\n}\n\n\n\nmodel n {}\n';
    expect(format(input, 'x.moe').text).toBe('model m {\n  a: 1\n\n  b: 2\n}\n\nmodel n {}\n');
  });

  it('returns a file with syntax errors unchanged, with its diagnostics', () => {
    const input = 'model m {\n  width 1\n}\n';
    const result = format(input, 'x.moe');
    expect(result.text).toBe(input);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['MOE0101']);
  });

  it('prints an AST built by hand, adding the parentheses precedence needs', () => {
    const { file } = parse('model m { v: (1 + 2) * 3, w: 1 - (2 - 3) }', 'x.moe');
    expect(printSpec(file)).toBe('model m {\n  v: (1 + 2) * 3\n  w: 1 - (2 - 3)\n}\n');
    const stripped = JSON.parse(JSON.stringify(file), (_k, v) => (v && v.kind === 'ParenExpression' ? v.expression : v));
    expect(printSpec(stripped)).toBe('model m {\n  v: (1 + 2) * 3\n  w: 1 - (2 - 3)\n}\n');
  });

  it('formats an empty file to an empty file', () => {
    expect(format('', 'x.moe').text).toBe('');
    expect(format('\n\n', 'x.moe').text).toBe('');
    expect(format('# only\n', 'x.moe').text).toBe('# only\n');
  });
});

// Text and JSON rendering of diagnostics (language.md §5).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { renderDiagnostic, renderDiagnostics, renderDiagnosticsJson } from '../../diagnostics/render.ts';
import { LineMap } from '../../grammar/source.ts';
import { repoRoot } from './helpers.ts';

const vit = [
  'model vit extends vit_s16 {',
  '  classes: 10',
  '',
  '',
  '',
  '',
  '  blocks last 6: moe(soft(expers: 128))',
  '}',
  '',
].join('\n');
const lines = new LineMap(vit);

function spanOf(text: string, needle: string, file = 'vit.moe') {
  const at = text.indexOf(needle);
  return new LineMap(text).span(file, at, at + needle.length);
}

const unknownParam: Diagnostic = {
  code: 'MOE0231',
  severity: 'error',
  message: "router parameter 'expers' is not known for soft",
  span: spanOf(vit, 'expers'),
  help: "did you mean 'experts'?",
};

describe('text rendering', () => {
  it('renders the example of language.md §5 in its layout', () => {
    // The document's excerpt puts `expers` at column 27 of its line (2-space indent);
    // its header says 7:28, one off from its own excerpt. We print the true column.
    const doc = readFileSync(join(repoRoot, 'docs/language.md'), 'utf8');
    const start = doc.indexOf('vit.moe:7:28');
    const example = doc.slice(start, doc.indexOf('\n```', start)).replace('vit.moe:7:28', 'vit.moe:7:27');
    expect(renderDiagnostic(unknownParam, new Map([['vit.moe', vit]]))).toBe(example);
    expect(example.split('\n')).toHaveLength(4);
  });

  it('renders notes with their own spans, spanless notes and suggestions', () => {
    const d: Diagnostic = {
      code: 'MOE0203',
      severity: 'error',
      message: "'vit' is declared twice",
      span: lines.span('vit.moe', 6, 9),
      notes: [{ message: 'also declared in base.moe', span: spanOf('model vit {}\n', 'vit', 'base.moe') }, { message: 'names are global' }],
      suggestion: { replacement: 'vit2' },
    };
    const out = renderDiagnostic(d, new Map([['vit.moe', vit], ['base.moe', 'model vit {}\n']]));
    expect(out).toBe(
      [
        "vit.moe:1:7 error MOE0203: 'vit' is declared twice",
        '   1 | model vit extends vit_s16 {',
        '     |       ^^^',
        "   = suggestion: replace with 'vit2'",
        '   = note: names are global',
        'base.moe:1:7 note: also declared in base.moe',
        '   1 | model vit {}',
        '     |       ^^^',
      ].join('\n'),
    );
  });

  it('renders a warning, and a diagnostic without a span or without its source', () => {
    const noSpan: Diagnostic = { code: 'MOE0501', severity: 'error', message: 'data folder missing' };
    expect(renderDiagnostic(noSpan, new Map())).toBe('error MOE0501: data folder missing');
    const warn: Diagnostic = { ...unknownParam, severity: 'warning' };
    expect(renderDiagnostic(warn, new Map())).toBe("vit.moe:7:27 warning MOE0231: router parameter 'expers' is not known for soft\n   = help: did you mean 'experts'?");
  });

  it('cuts very long lines around the span and keeps the caret under it', () => {
    const long = `model m { width: ${'1 + '.repeat(200)}oops }`;
    const d: Diagnostic = { code: 'MOE0101', severity: 'error', message: 'x', span: spanOf(long, 'oops', 'l.moe') };
    const [, code, caret] = renderDiagnostic(d, new Map([['l.moe', long]]), { maxLineWidth: 60 }).split('\n');
    expect(code.length).toBeLessThan(80);
    expect(code).toContain('…');
    const col = caret.indexOf('^');
    expect(code.slice(col, col + 4)).toBe('oops');
    expect(caret.slice(col)).toBe('^^^^');
  });

  it('keeps carets aligned after tabs and marks a span that runs past the line', () => {
    const text = '\tmodel\tm {\n}';
    const d: Diagnostic = { code: 'MOE0101', severity: 'error', message: 'x', span: new LineMap(text).span('t.moe', 7, 12) };
    const [, code, caret] = renderDiagnostic(d, new Map([['t.moe', text]])).split('\n');
    const col = caret.indexOf('^');
    expect(code.slice(col)).toBe('m {');
    expect(caret.slice(col)).toBe('^^^');
  });

  it('colours only when asked', () => {
    const sources = new Map([['vit.moe', vit]]);
    expect(renderDiagnostics([unknownParam], sources, { color: false })).not.toMatch(/\u001b\[/);
    expect(renderDiagnostics([unknownParam], sources, { color: true })).toMatch(/\u001b\[31m/);
  });

  it('sorts diagnostics by file and position and separates them by blank lines', () => {
    const a: Diagnostic = { code: 'MOE0101', severity: 'error', message: 'second', span: lines.span('vit.moe', 30, 31) };
    const b: Diagnostic = { code: 'MOE0101', severity: 'error', message: 'first', span: lines.span('vit.moe', 0, 5) };
    const out = renderDiagnostics([a, b], new Map([['vit.moe', vit]]));
    expect(out.indexOf('first')).toBeLessThan(out.indexOf('second'));
    expect(out).toContain('^\n\nvit.moe:');
    expect(renderDiagnostics([], new Map())).toBe('');
  });
});

describe('JSON rendering', () => {
  it('gives a stable array with 1-based lines and columns', () => {
    const parsed = JSON.parse(renderDiagnosticsJson([unknownParam]));
    expect(parsed).toEqual([
      {
        code: 'MOE0231',
        severity: 'error',
        message: "router parameter 'expers' is not known for soft",
        location: { file: 'vit.moe', line: 7, column: 27, endLine: 7, endColumn: 33, offset: unknownParam.span!.start.offset, endOffset: unknownParam.span!.end.offset },
        help: "did you mean 'experts'?",
        suggestion: null,
        notes: [],
      },
    ]);
    expect(renderDiagnosticsJson([])).toBe('[]\n');
  });
});

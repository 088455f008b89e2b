// Robustness: thousands of seeded mutations of valid specs (deleted, duplicated, swapped and
// replaced tokens, random bytes, truncation, very long lines, deep nesting) never throw and
// always give diagnostics and AST spans inside the file. Clean results format idempotently.
import { describe, expect, it } from 'vitest';
import type { Span } from '../../diagnostics/diagnostic.ts';
import { format, parse } from '../../grammar/index.ts';
import { LineMap } from '../../grammar/source.ts';
import { mutate, mutationSeeds } from './mutators.ts';
import { uniformGenerator } from '../../runtime/executor/random.ts';

const prng = uniformGenerator;

const seeds = mutationSeeds();

function spanProblem(span: Span | undefined, text: string, file: string, lines: LineMap): string | undefined {
  if (!span) return 'missing span';
  if (span.file !== file) return `span in file ${span.file}`;
  const { start, end } = span;
  if (!(start.offset >= 0 && start.offset <= end.offset && end.offset <= text.length)) return `offsets ${start.offset}..${end.offset} outside 0..${text.length}`;
  const s = lines.position(start.offset);
  const e = lines.position(end.offset);
  if (s.line !== start.line || s.column !== start.column || e.line !== end.line || e.column !== end.column) {
    return `line/column ${start.line}:${start.column}-${end.line}:${end.column} disagree with offsets (${s.line}:${s.column}-${e.line}:${e.column})`;
  }
  return undefined;
}

let inputsWithErrors = 0;

/** Parses (and formats) one input; returns the first broken invariant, or undefined. */
function check(text: string): string | undefined {
  const file = 'm.moe';
  const lines = new LineMap(text);
  const { file: ast, diagnostics } = parse(text, file);
  if (diagnostics.some((d) => d.severity === 'error')) inputsWithErrors++;
  for (const d of diagnostics) {
    const p = spanProblem(d.span, text, file, lines);
    if (p) return `${d.code} ${d.message}: ${p}`;
    if (!/^MOE01\d\d$/.test(d.code)) return `unexpected code ${d.code}`;
  }
  let problem: string | undefined;
  const visit = (node: unknown): void => {
    if (problem || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach(visit);
    const rec = node as Record<string, unknown>;
    if (typeof rec.kind === 'string') {
      const p = spanProblem(rec.span as Span, text, file, lines);
      if (p) problem = `${rec.kind}: ${p}`;
    }
    for (const [k, v] of Object.entries(rec)) if (k !== 'span') visit(v);
  };
  visit(ast);
  if (problem) return problem;
  const formatted = format(text, file);
  if (formatted.diagnostics.some((d) => d.severity === 'error')) {
    if (formatted.text !== text) return 'format changed a file with errors';
  } else if (format(formatted.text, file).text !== formatted.text) {
    return 'format is not idempotent';
  }
  return undefined;
}

describe('robustness of the parser', () => {
  it('survives 3000 seeded mutations of valid specs', () => {
    const rand = prng(20261125);
    const failures: string[] = [];
    inputsWithErrors = 0;
    for (let n = 0; n < 3000 && failures.length < 5; n++) {
      const seed = seeds[n % seeds.length];
      const text = mutate(seed, rand);
      let problem: string | undefined;
      try {
        problem = check(text);
      } catch (err) {
        problem = `threw ${(err as Error).stack}`;
      }
      if (problem) failures.push(`mutation #${n}: ${problem}\n--- input ---\n${text.slice(0, 400)}`);
    }
    expect(failures).toEqual([]);
    // Most mutations must break the syntax, or this test would prove little.
    expect(inputsWithErrors).toBeGreaterThan(1500);
  });

  const deep: Array<[string, string]> = [
    ['5000 nested parentheses', `model m { width: ${'('.repeat(5000)}1${')'.repeat(5000)} }`],
    ['5000 unclosed parentheses', `model m { width: ${'('.repeat(5000)}`],
    ['5000 unary minuses', `model m { width: ${'-'.repeat(5000)}1 }`],
    ['5000 nested calls', `train t { data: ${'f('.repeat(5000)}${')'.repeat(5000)} }`],
    ['5000 nested braces', `model m ${'{'.repeat(5000)}${'}'.repeat(5000)}`],
    ['a 20000-term sum', `model m { width: ${Array.from({ length: 20000 }, () => '1').join(' + ')} }`],
    ['5000 nested inline routers', `model m { blocks all: ${'moe('.repeat(5000)} }`],
    ['a 100000-character line of garbage', '@'.repeat(100000)],
    ['only a quote', '"'],
    ['an empty file', ''],
    ['a lone carriage return', '\r'],
    ['NUL bytes', '\u0000\u0000model\u0000'],
  ];
  for (const [name, text] of deep) {
    it(`handles ${name}`, () => {
      expect(check(text)).toBeUndefined();
    });
  }
});

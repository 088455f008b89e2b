// Shared helpers of the grammar tests: fixtures, the language reference's examples,
// span invariants and span-free comparison of ASTs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Span } from '../../diagnostics/diagnostic.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { LineMap } from '../../grammar/source.ts';

export const repoRoot = new URL('../../', import.meta.url).pathname;
export const syntaxFixtures = join(repoRoot, 'tests/fixtures/syntax');

export interface Fixture {
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

export function fixtures(kind: 'valid' | 'invalid'): Fixture[] {
  const dir = join(syntaxFixtures, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.moe') && !f.endsWith('.formatted.moe'))
    .sort()
    .map((name) => ({ name, path: join(dir, name), text: readFileSync(join(dir, name), 'utf8') }));
}

/** Every ```moe block of docs/language.md (the repository's copy), with its line number. */
export function languageExamples(): { line: number; text: string }[] {
  const doc = readFileSync(join(repoRoot, 'docs/language.md'), 'utf8');
  const out: { line: number; text: string }[] = [];
  const lines = doc.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```moe') continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && lines[j].trim() !== '```') j++;
    out.push({ line: start + 1, text: lines.slice(start, j).join('\n') + '\n' });
    i = j;
  }
  return out;
}

function isSpan(value: unknown): value is Span {
  return typeof value === 'object' && value !== null && 'start' in value && 'end' in value && 'file' in value;
}

/** Asserts a span lies inside `text` and its line/column agree with its offsets. */
export function expectSpanInside(span: Span, text: string, file: string, lines = new LineMap(text)): void {
  expect(span.file).toBe(file);
  expect(span.start.offset).toBeGreaterThanOrEqual(0);
  expect(span.end.offset).toBeGreaterThanOrEqual(span.start.offset);
  expect(span.end.offset).toBeLessThanOrEqual(text.length);
  expect(span.start).toEqual(lines.position(span.start.offset));
  expect(span.end).toEqual(lines.position(span.end.offset));
}

/** Walks an AST: every node has a span inside the file, children inside parents, and names
 * and literals cover exactly their source text. */
export function checkAstSpans(root: unknown, text: string, file: string): number {
  const lines = new LineMap(text);
  let count = 0;
  const visit = (node: unknown, parent: Span | undefined): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, parent));
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.kind !== 'string') return;
    const span = record.span;
    expect(isSpan(span), `${record.kind} has a span`).toBe(true);
    const s = span as Span;
    count++;
    expectSpanInside(s, text, file, lines);
    if (parent && record.kind !== 'Comment') {
      expect(s.start.offset).toBeGreaterThanOrEqual(parent.start.offset);
      expect(s.end.offset).toBeLessThanOrEqual(parent.end.offset);
    }
    const source = text.slice(s.start.offset, s.end.offset);
    if (record.kind === 'Identifier') expect(source).toBe(record.name);
    if (record.kind === 'NumberLiteral' || record.kind === 'DimensionLiteral') expect(source).toBe(record.raw);
    if (record.kind === 'Comment') expect(source).toBe(`#${record.text as string}`);
    for (const [key, value] of Object.entries(record)) if (key !== 'span') visit(value, s);
  };
  visit(root, undefined);
  return count;
}

/** A deep copy without spans (to compare ASTs of differently laid-out texts). */
export function withoutSpans(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSpans);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (key !== 'span') out[key] = withoutSpans(value);
  return out;
}

export function expectDiagnosticsInside(diagnostics: readonly Diagnostic[], text: string, file: string): void {
  const lines = new LineMap(text);
  for (const d of diagnostics) {
    expect(d.span, `${d.code} has a span`).toBeDefined();
    expectSpanInside(d.span!, text, file, lines);
  }
}

/** The AST as JSON for snapshots, each span written compactly as `line:col-line:col @start-end`
 * (the file is the fixture's name throughout, so it is left out). */
export function astSnapshot(node: unknown): string {
  return (
    JSON.stringify(
      node,
      (key, value) => {
        if (key === 'span' && isSpan(value)) {
          const s = value;
          return `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column} @${s.start.offset}-${s.end.offset}`;
        }
        return value;
      },
      2,
    ) + '\n'
  );
}

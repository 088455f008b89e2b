// Renders diagnostics for people (language.md §5) and for tools (JSON):
//
//   vit.moe:7:28 error MOE0231: router parameter 'expers' is not known for soft
//      7 |   blocks last 6: moe(soft(expers: 128))
//        |                           ^^^^^^
//      = help: did you mean 'experts'?
//
// Colours only when asked (the CLI decides: a TTY and no NO_COLOR).
import pc from 'picocolors';
import type { Diagnostic, RelatedNote, Severity, Span } from './diagnostic.ts';
import { sortDiagnostics } from './diagnostic.ts';

export interface RenderOptions {
  readonly color?: boolean;
  /** Longest source excerpt shown; longer lines are cut around the span. */
  readonly maxLineWidth?: number;
}

/** Source texts by file path (as used in spans). */
export type Sources = ReadonlyMap<string, string>;

type Colors = ReturnType<typeof pc.createColors>;

const TAB_WIDTH = 4;
const GUTTER_MIN = 4;

class LineCache {
  private readonly cache = new Map<string, string[]>();
  constructor(private readonly sources: Sources) {}

  line(file: string, line: number): string | undefined {
    let lines = this.cache.get(file);
    if (!lines) {
      const text = this.sources.get(file);
      if (text === undefined) return undefined;
      lines = text.split(/\r\n|\r|\n/);
      this.cache.set(file, lines);
    }
    return lines[line - 1];
  }
}

function severityColor(c: Colors, severity: Severity): (s: string) => string {
  if (severity === 'error') return (s) => c.bold(c.red(s));
  if (severity === 'warning') return (s) => c.bold(c.yellow(s));
  return (s) => c.bold(c.cyan(s));
}

function location(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.column}`;
}

/** The display form of a source line (tabs expanded, control characters shown as '?'),
 * with a map from 0-based UTF-16 column to display column. */
function displayLine(text: string): { shown: string; columnAt: (col0: number) => number } {
  let shown = '';
  const starts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    starts.push(shown.length);
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (ch === '\t') shown += ' '.repeat(TAB_WIDTH);
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) shown += '?';
    else shown += ch;
  }
  starts.push(shown.length);
  return { shown, columnAt: (col0) => starts[Math.max(0, Math.min(col0, text.length))] + Math.max(0, col0 - text.length) };
}

/** Source excerpt lines (`   7 | …` and the caret line) for one span, or [] without source. */
function excerpt(span: Span, lines: LineCache, c: Colors, mark: (s: string) => string, options: RenderOptions): string[] {
  const text = lines.line(span.file, span.start.line);
  if (text === undefined) return [];
  const maxWidth = Math.max(20, options.maxLineWidth ?? 120);
  const { shown, columnAt } = displayLine(text);
  const startCol = columnAt(span.start.column - 1);
  const endCol = span.end.line === span.start.line ? columnAt(span.end.column - 1) : shown.length;
  let caretStart = startCol;
  let caretLen = Math.max(1, endCol - startCol);
  let body = shown;
  if (shown.length > maxWidth) {
    // Cut a window around the start of the span, marking the cuts with '…'.
    const left = Math.max(0, Math.min(startCol - Math.floor(maxWidth / 4), shown.length - maxWidth));
    const right = Math.min(shown.length, left + maxWidth);
    body = (left > 0 ? '…' : '') + shown.slice(left, right) + (right < shown.length ? '…' : '');
    caretStart = startCol - left + (left > 0 ? 1 : 0);
    caretLen = Math.max(1, Math.min(caretLen, right - Math.max(left, startCol)));
  }
  const number = String(span.start.line);
  const width = Math.max(GUTTER_MIN, number.length);
  const gutter = c.bold(c.blue(`${number.padStart(width)} |`));
  const blank = c.bold(c.blue(`${' '.repeat(width)} |`));
  return [`${gutter} ${body}`.trimEnd(), `${blank} ${' '.repeat(caretStart)}${mark('^'.repeat(caretLen))}`];
}

function noteBlock(note: RelatedNote, lines: LineCache, c: Colors, options: RenderOptions): string[] {
  const mark = severityColor(c, 'note');
  if (!note.span) return [];
  return [`${c.bold(location(note.span))} ${mark('note')}: ${note.message}`, ...excerpt(note.span, lines, c, mark, options)];
}

function renderOne(d: Diagnostic, lines: LineCache, c: Colors, options: RenderOptions): string {
  const mark = severityColor(c, d.severity);
  const head = `${mark(`${d.severity} ${d.code}`)}: ${c.bold(d.message)}`;
  const out: string[] = [d.span ? `${c.bold(location(d.span))} ${head}` : head];
  if (d.span) out.push(...excerpt(d.span, lines, c, mark, options));
  const indent = ' '.repeat(GUTTER_MIN - 1);
  const eq = c.bold(c.blue('='));
  if (d.help) out.push(`${indent}${eq} ${c.bold('help')}: ${d.help}`);
  if (d.suggestion) out.push(`${indent}${eq} ${c.bold('suggestion')}: replace with '${d.suggestion.replacement}'`);
  for (const note of d.notes ?? []) {
    if (!note.span) out.push(`${indent}${eq} ${c.bold('note')}: ${note.message}`);
  }
  for (const note of d.notes ?? []) {
    if (note.span) out.push(...noteBlock(note, lines, c, options));
  }
  return out.join('\n');
}

/** One diagnostic as text (no trailing newline). */
export function renderDiagnostic(d: Diagnostic, sources: Sources, options: RenderOptions = {}): string {
  return renderOne(d, new LineCache(sources), pc.createColors(options.color ?? false), options);
}

/** Every diagnostic, sorted by file and position, separated by blank lines, ending with a newline ('' when none). */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], sources: Sources, options: RenderOptions = {}): string {
  if (diagnostics.length === 0) return '';
  const lines = new LineCache(sources);
  const c = pc.createColors(options.color ?? false);
  return sortDiagnostics(diagnostics).map((d) => renderOne(d, lines, c, options)).join('\n\n') + '\n';
}

/** `2 errors, 1 warning` (counts of errors and warnings). */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

function jsonSpan(span: Span | undefined) {
  if (!span) return null;
  return {
    file: span.file,
    line: span.start.line,
    column: span.start.column,
    endLine: span.end.line,
    endColumn: span.end.column,
    offset: span.start.offset,
    endOffset: span.end.offset,
  };
}

/** Diagnostics as a stable JSON array (sorted; fixed key order; 1-based lines and columns,
 * end exclusive, 0-based UTF-16 offsets), ending with a newline. */
export function renderDiagnosticsJson(diagnostics: readonly Diagnostic[]): string {
  const items = sortDiagnostics(diagnostics).map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    location: jsonSpan(d.span),
    help: d.help ?? null,
    suggestion: d.suggestion ? { replacement: d.suggestion.replacement, location: jsonSpan(d.suggestion.span ?? d.span) } : null,
    notes: (d.notes ?? []).map((n) => ({ message: n.message, location: jsonSpan(n.span) })),
  }));
  return JSON.stringify(items, null, 2) + '\n';
}

/** What renderFault needs of a thrown UserError / RuntimeFault (diagnostics/fault.ts). */
export interface FaultLike {
  readonly message: string;
  readonly help?: string;
  readonly code?: string;
}

/**
 * A user-facing failure as text ending with a newline: `error: CODE: message` (the code
 * when it has one) and `help: …` — the form the CLI has always printed for faults.
 */
export function renderFault(fault: FaultLike, options: RenderOptions = {}): string {
  const c = pc.createColors(options.color ?? false);
  const code = fault.code !== undefined ? `${fault.code}: ` : '';
  return `${severityColor(c, 'error')('error')}: ${code}${fault.message}\n${fault.help ? `${c.bold('help')}: ${fault.help}\n` : ''}`;
}

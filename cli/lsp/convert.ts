// moec spans and diagnostics → LSP ranges and diagnostics. moec positions are 1-based
// lines and columns in UTF-16 units; LSP's are 0-based in the same units.
import type { Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, Range } from 'vscode-languageserver/node';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import { pathToUri } from './paths.ts';

export function toRange(span: Span): Range {
  return {
    start: { line: Math.max(0, span.start.line - 1), character: Math.max(0, span.start.column - 1) },
    end: { line: Math.max(0, span.end.line - 1), character: Math.max(0, span.end.column - 1) },
  };
}

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** What a quick fix needs, carried in the LSP diagnostic's `data`. */
export interface FixData {
  readonly replacement: string;
  readonly range: Range;
}

/** The same code, message and help as `moec check`; notes become related locations. */
export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  const related: DiagnosticRelatedInformation[] = [];
  const extraNotes: string[] = [];
  for (const n of d.notes ?? []) {
    if (n.span) related.push({ location: { uri: pathToUri(n.span.file), range: toRange(n.span) }, message: n.message });
    else extraNotes.push(`note: ${n.message}`);
  }
  const message = [d.message, ...extraNotes, ...(d.help ? [`help: ${d.help}`] : [])].join('\n');
  const fix: FixData | undefined = d.suggestion && (d.suggestion.span ?? d.span) ? { replacement: d.suggestion.replacement, range: toRange((d.suggestion.span ?? d.span)!) } : undefined;
  return {
    range: d.span ? toRange(d.span) : START,
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    code: d.code,
    source: 'moec',
    message,
    ...(related.length > 0 ? { relatedInformation: related } : {}),
    ...(fix ? { data: fix } : {}),
  };
}

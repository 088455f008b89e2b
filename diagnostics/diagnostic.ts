// Diagnostics are plain immutable data, produced by every phase and rendered
// only at the edge (CLI, tests). See render.ts for the text form.

/** A point in a source file. `line` and `column` are 1-based, `offset` 0-based (UTF-16 units). */
export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** A half-open range [start, end) in one file. */
export interface Span {
  readonly file: string;
  readonly start: Position;
  readonly end: Position;
}

export type Severity = 'error' | 'warning' | 'note';

export interface RelatedNote {
  readonly message: string;
  readonly span?: Span;
}

export interface Suggestion {
  /** Text that should replace the primary span (or `span` when given). */
  readonly replacement: string;
  readonly span?: Span;
}

export interface Diagnostic {
  /** Stable code from the catalogue, e.g. `MOE0101`. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** Absent only for diagnostics that concern no source text (e.g. a missing file argument). */
  readonly span?: Span;
  readonly notes?: readonly RelatedNote[];
  readonly help?: string;
  readonly suggestion?: Suggestion;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, then position, then code: stable output for goldens. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.span?.file ?? '';
    const fb = b.span?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const oa = a.span?.start.offset ?? -1;
    const ob = b.span?.start.offset ?? -1;
    if (oa !== ob) return oa - ob;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}

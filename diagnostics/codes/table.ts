// The shape of a code table: each phase's codes/*.ts exports one, catalogue.ts merges them.
import type { Severity } from '../diagnostic.ts';

export interface CodeInfo {
  readonly severity: Severity;
  /** One line: what the code means (used for docs/diagnostics.md). */
  readonly description: string;
}

export type CodeTable = Readonly<Record<string, CodeInfo>>;

// Quick fixes: the checker's did-you-mean suggestions (a diagnostic's `suggestion`),
// applied by replacing the misspelt text.
import type { CodeAction, Diagnostic as LspDiagnostic, Range } from 'vscode-languageserver/node';
import { CodeActionKind } from 'vscode-languageserver/node';
import type { FixData } from './convert.ts';

function overlaps(a: Range, b: Range): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function isFix(data: unknown): data is FixData {
  return typeof data === 'object' && data !== null && typeof (data as FixData).replacement === 'string' && typeof (data as FixData).range === 'object';
}

/** `diagnostics`: the server's own for the document (the client may not send `data` back). */
export function quickFixes(uri: string, range: Range, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (!isFix(d.data) || !overlaps(d.range, range)) continue;
    out.push({
      title: `Replace with '${d.data.replacement}'`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: { changes: { [uri]: [{ range: d.data.range, newText: d.data.replacement }] } },
    });
  }
  return out;
}

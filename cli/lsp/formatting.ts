// Formatting: the `moec fmt` layout, as one edit of the whole document. A document
// with syntax errors is left as it is (as `moec fmt` does).
import type { TextEdit } from 'vscode-languageserver/node';
import { hasErrors } from '../../diagnostics/diagnostic.ts';
import { format } from '../../grammar/index.ts';
import { LineMap } from '../../grammar/source.ts';

export function formatDocument(text: string, path: string): TextEdit[] {
  const result = format(text, path);
  if (hasErrors(result.diagnostics) || result.text === text) return [];
  const end = new LineMap(text).position(text.length);
  return [{ range: { start: { line: 0, character: 0 }, end: { line: end.line - 1, character: end.column - 1 } }, newText: result.text }];
}

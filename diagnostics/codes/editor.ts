// Diagnostic codes MOE0721–0729: the language server (`moec lsp`). Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const editorCodes: CodeTable = {
  MOE0721: { severity: 'error', description: 'the language server could not analyse the file (a bug in moec; the other features keep working)' },
};

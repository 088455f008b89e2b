// Diagnostic codes MOE01xx. Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const syntaxCodes: CodeTable = {
  MOE0101: { severity: 'error', description: 'unexpected token: the parser expected something else here' },
  MOE0102: { severity: 'error', description: 'unterminated string: a string has no closing `"` on its line' },
  MOE0103: { severity: 'error', description: 'invalid character: a character that cannot start any token' },
  MOE0104: { severity: 'error', description: 'a reserved keyword is used where a name is expected' },
  MOE0105: { severity: 'error', description: 'two fields on one line without a `,` between them' },
  MOE0106: { severity: 'error', description: 'unexpected end of file: a declaration is not finished' },
  MOE0107: { severity: 'error', description: 'invalid escape in a string (only `\\"` and `\\\\` are allowed)' },
  MOE0108: { severity: 'error', description: 'text outside any declaration (expected `import`, `router`, `model` or `train`)' },
  MOE0109: { severity: 'error', description: 'an expression is nested too deeply or is too long to parse' },
  MOE0110: { severity: 'error', description: 'a number is too large to represent' },
  MOE0111: { severity: 'error', description: 'a block rule (`blocks …: …`) inside a train declaration' },
  MOE0112: { severity: 'note', description: 'more diagnostics than are shown: the first 200 are listed, and this note counts the rest' },
};

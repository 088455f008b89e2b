// Diagnostic codes MOE0340–MOE0359: the definition tables (compiler/routers/,
// runtime/data/registry.ts) when a value built outside the checker does not fit them.
import type { CodeTable } from './table.ts';

export const tablesCodes: CodeTable = {
  MOE0340: { severity: 'error', description: 'a data spec built outside a .moe file names no registered data set, or misses one of its arguments' },
};

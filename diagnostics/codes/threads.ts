// Diagnostic codes MOE0561–MOE0564: the wasm backend's thread count (--threads,
// MOEC_THREADS; docs/cli.md, docs/performance.md). Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const threadsCodes: CodeTable = {
  MOE0561: { severity: 'error', description: '`--threads` is not an integer ≥ 1' },
  MOE0562: { severity: 'error', description: 'the MOEC_THREADS environment variable is not an integer ≥ 1' },
};

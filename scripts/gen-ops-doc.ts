// Regenerates docs/ops.md from the op table (compiler/graph/ops.ts):
//   node bin/run-ts.mjs scripts/gen-ops-doc.ts
import { writeFileSync } from 'node:fs';
import { opsMarkdown } from '../compiler/graph/ops-doc.ts';

const target = new URL('../docs/ops.md', import.meta.url);
writeFileSync(target, opsMarkdown());
process.stdout.write(`wrote ${target.pathname}\n`);

// Regenerates docs/diagnostics.md from the diagnostic catalogue:
//   node bin/run-ts.mjs scripts/gen-diagnostics-doc.ts
import { writeFileSync } from 'node:fs';
import { catalogueMarkdown } from '../diagnostics/doc.ts';

const target = new URL('../docs/diagnostics.md', import.meta.url);
writeFileSync(target, catalogueMarkdown());
process.stdout.write(`wrote ${target.pathname}\n`);

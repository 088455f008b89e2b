// Regenerates the reference tables of docs/language.md, docs/training.md and
// docs/routers.md from the schema and the router table (compiler/doc-tables.ts):
//   node bin/run-ts.mjs scripts/gen-tables-doc.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { GENERATED_DOCS, withGeneratedTables } from '../compiler/doc-tables.ts';

for (const [doc, regions] of Object.entries(GENERATED_DOCS)) {
  const target = new URL(`../${doc}`, import.meta.url);
  const before = readFileSync(target, 'utf8');
  const after = withGeneratedTables(before, regions);
  if (after !== before) writeFileSync(target, after);
  process.stdout.write(`${after !== before ? 'wrote' : 'unchanged'} ${doc}\n`);
}

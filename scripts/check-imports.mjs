#!/usr/bin/env node
// The import rules of ARCHITECTURE.md, checked on the whole source tree with madge
// (part of `npm test`, so CI runs it):
//   1. no import cycles (type-only imports count: they hide a real dependency too);
//   2. no module outside cli/ imports from cli/ (the CLI is a thin layer on the library);
//      tests/ and bench/ (developer tooling that measures or drives the CLI) may.
// Usage: node scripts/check-imports.mjs        exit 0 clean, 1 with the offending files listed.
import madge from 'madge';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['index.ts', 'grammar', 'compiler', 'runtime', 'diagnostics', 'cli', 'export', 'lsp', 'report', 'bench', 'scripts'];

const { existsSync } = await import('node:fs');
const present = SOURCES.filter((p) => existsSync(join(root, p)));
const result = await madge(present.map((p) => join(root, p)), {
  baseDir: root,
  fileExtensions: ['ts', 'mjs'],
  tsConfig: join(root, 'tsconfig.json'),
  excludeRegExp: [/node_modules/, /\.d\.ts$/],
});

const problems = [];
for (const cycle of result.circular()) problems.push(`import cycle: ${[...cycle, cycle[0]].join(' → ')}`);
for (const [file, deps] of Object.entries(result.obj())) {
  if (file.startsWith('cli/') || file.startsWith('bench/')) continue;
  for (const dep of deps) if (dep.startsWith('cli/')) problems.push(`${file} imports ${dep}: only cli/ may import from cli/ (move what both need below cli/)`);
}
const skipped = result.warnings().skipped ?? [];
const unresolved = skipped.filter((s) => s.startsWith('.') || s.startsWith('/'));
for (const s of unresolved) problems.push(`cannot resolve import '${s}'`);

if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n${problems.length} import rule violation${problems.length === 1 ? '' : 's'} (scripts/check-imports.mjs)\n`);
  process.exit(1);
}
process.stdout.write(`imports: ${Object.keys(result.obj()).length} modules, no cycles, nothing outside cli/ imports cli/\n`);

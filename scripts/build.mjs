#!/usr/bin/env node
// Builds the `moec` command into dist/ (one ES module per lazily loaded command, npm packages
// left external) so it starts without transpiling TypeScript. Run by `npm ci`/`npm install`
// (the `prepare` script) and by `npm run build`. bin/moec.mjs uses dist/ only while every
// source file it was built from is unchanged (dist/inputs.json), else it falls back to tsx.
import { build } from 'esbuild';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // Modules bundled from CommonJS-free sources still call require() through createRequire;
  // nothing else is needed at run time.
});
// Every input the bundle was built from, with its size and modification time.
const inputs = Object.keys(result.metafile.inputs)
  .filter((path) => !path.includes('node_modules/'))
  .map((path) => {
    const s = statSync(join(root, path));
    return { path, size: s.size, mtimeMs: s.mtimeMs };
  });
writeFileSync(join(out, 'inputs.json'), JSON.stringify({ built: new Date().toISOString(), inputs }, null, 1) + '\n');
console.log(`moec: built dist/ from ${inputs.length} source files`);

#!/usr/bin/env node
// Builds the `moec` command into dist/ (one ES module per lazily loaded command, npm packages
// left external) so it starts without transpiling TypeScript. Run by `npm ci`/`npm install`
// (the `prepare` script) and by `npm run build`. bin/moec.mjs uses dist/ only while every
// source file it was built from is unchanged (dist/inputs.json), else it falls back to tsx.
import { build } from 'esbuild';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pure-JavaScript packages compiled into the bundle instead of loaded from node_modules. */
const BUNDLED_PACKAGES = ['chevrotain', '@chevrotain/', 'lodash-es'];

/** esbuild plugin: every bare import is external unless its package is listed. */
function externalExcept(bundled) {
  return {
    name: 'external-except',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || !bundled.some((p) => args.path === p || args.path.startsWith(p.endsWith('/') ? p : `${p}/`))) {
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// `--outdir DIR` builds elsewhere (the bundle test); bin/moec.mjs only ever runs dist/.
const outFlag = process.argv.indexOf('--outdir');
const out = outFlag >= 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'cli/main.ts' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // npm packages stay external (resolved from node_modules at run time), except the
  // parser's: chevrotain imports lodash-es as ~600 tiny ES modules, and resolving and
  // linking them was a third of `moec check`'s start-up (docs/performance.md).
  plugins: [externalExcept(BUNDLED_PACKAGES)],
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
console.log(`moec: built ${out === join(root, 'dist') ? 'dist/' : out} from ${inputs.length} source files`);

#!/usr/bin/env node
// Entry point of the `moec` command. Runs the compiled bundle in dist/ (built by
// `npm ci`/`npm install` through the `prepare` script, or `npm run build`) while it is up to
// date with the TypeScript sources; after any source edit it falls back to loading the
// sources through tsx, so a developer never runs stale code (just slower start-up).
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

function bundleIsCurrent() {
  try {
    const { inputs } = JSON.parse(readFileSync(new URL('dist/inputs.json', root), 'utf8'));
    return inputs.every(({ path, size, mtimeMs }) => {
      const s = statSync(new URL(path, root));
      return s.size === size && s.mtimeMs === mtimeMs;
    });
  } catch {
    return false; // no bundle, or a source file was removed
  }
}

let main;
if (process.env.MOEC_FROM_SOURCE !== '1' && bundleIsCurrent()) {
  ({ main } = await import(new URL('dist/main.js', root).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(new URL('cli/main.ts', root).href));
}
process.exit(await main(process.argv.slice(2)));

// The charting library inlined into every report: the installed Vega, Vega-Lite and
// vega-embed browser builds (no CDN, no network when the page opens).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inlineScript } from './escape.ts';

const require = createRequire(import.meta.url);
const BUILDS = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
] as const;

/** A package's folder (its `exports` hide the build files from require.resolve). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!(existsSync(join(dir, 'package.json')) && (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === name)) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`internal: cannot find the folder of package ${name}`);
    dir = up;
  }
  return dir;
}

let cached: string | undefined;

/** The three builds as one inlinable script, source-map comments removed (they would make devtools fetch). */
export function vegaScripts(): string {
  cached ??= BUILDS.map(([name, file]) => inlineScript(readFileSync(join(packageDir(name), file), 'utf8').replace(/\/\/# sourceMappingURL=\S+/g, ''))).join('\n;\n');
  return cached;
}

export function vegaVersions(): Record<string, string> {
  const version = (name: string) => (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;
  return { vega: version('vega'), 'vega-lite': version('vega-lite'), 'vega-embed': version('vega-embed') };
}

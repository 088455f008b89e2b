// The bundle `npm ci` builds (scripts/build.mjs): it runs, and what `moec check` loads at
// start-up stays small — no TensorFlow.js, no image or plotting packages, and the parser's
// packages compiled in rather than resolved as hundreds of modules (docs/performance.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
// A sibling of dist/, as the bundle reads ../package.json and resolves packages from node_modules.
const out = join(root, `.tmp-bundle-${process.pid}`);

/** Bare package names a chunk imports statically, following its static imports of other chunks. */
function staticPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(out, file), 'utf8');
    // Static forms only: `import … from "x"`, `import "x"`, `export … from "x"`; dynamic import() is lazy.
    for (const m of text.matchAll(/(?:^|[;\n])\s*(?:import|export)\s*(?:[\w*${}\s,]+\s*from\s*)?["']([^"']+)["']/g)) {
      const spec = m[1]!;
      if (spec.startsWith('./')) visit(spec.slice(2));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return packages;
}

describe('the start-up bundle', () => {
  beforeAll(() => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--outdir', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs `moec check` of the example', () => {
    const script = `const { main } = await import(${JSON.stringify(join(out, 'main.js'))}); process.exit(await main(['check', ${JSON.stringify(join(root, 'examples', 'mnist_soft.moe'))}]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('0 errors'); // the summary line goes to stderr, like every diagnostic
  });

  it('`moec check` statically loads only small packages, and none of the heavy ones', () => {
    const check = readdirSync(out).find((f) => /^check-[\w-]+\.js$/.test(f));
    expect(check, 'a chunk of its own for the check command').toBeDefined();
    const loaded = new Set([...staticPackages('main.js'), ...staticPackages(check!)]);
    for (const heavy of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'sharp', '@resvg/resvg-js', 'vega', 'onnxruntime-node', 'chevrotain', 'lodash-es']) {
      expect(loaded.has(heavy), `${heavy} loaded by moec check`).toBe(false);
    }
    expect(loaded.size, [...loaded].join(', ')).toBeGreaterThan(0);
  });
});

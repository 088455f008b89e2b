// Every shipped spec (specs/, examples/) is in the canonical layout: `moec fmt --check`
// passes on each, so users copying one start from formatted text.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

function moeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? moeFiles(join(dir, e.name)) : e.name.endsWith('.moe') ? [join(dir, e.name)] : []));
}

describe('shipped specs', () => {
  const files = [...moeFiles('specs'), ...moeFiles('examples')];
  it('include the presets and the examples', () => {
    expect(files).toContain(join('specs', 'presets.moe'));
    expect(files.length).toBeGreaterThan(5);
  });
  it('all pass moec fmt --check', async () => {
    const r = await runCli(['fmt', '--check', ...files]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

// docs/diagnostics.md lists every code of the catalogue, and the syntax codes are well formed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntaxCodes } from '../../diagnostics/codes/syntax.ts';
import { catalogueMarkdown } from '../../diagnostics/doc.ts';
import { repoRoot } from './helpers.ts';

describe('diagnostic catalogue', () => {
  it('docs/diagnostics.md is in step with the catalogue', () => {
    const doc = readFileSync(join(repoRoot, 'docs/diagnostics.md'), 'utf8');
    const expected = catalogueMarkdown();
    expect(doc === expected, 'docs/diagnostics.md is out of date: run `node bin/run-ts.mjs scripts/gen-diagnostics-doc.ts`').toBe(true);
  });

  it('syntax codes are MOE01xx, each with a one-line description', () => {
    for (const [code, info] of Object.entries(syntaxCodes)) {
      expect(code).toMatch(/^MOE01\d\d$/);
      expect(info.description.length).toBeGreaterThan(10);
      expect(info.description).not.toContain('\n');
    }
  });
});

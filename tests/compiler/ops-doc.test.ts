// docs/ops.md is generated from the op table and lists every op kind.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opsMarkdown } from '../../compiler/graph/ops-doc.ts';
import { OP_KINDS } from '../../compiler/graph/ops.ts';

describe('op vocabulary doc', () => {
  it('docs/ops.md is in step with compiler/graph/ops.ts', () => {
    const doc = readFileSync('docs/ops.md', 'utf8');
    expect(doc === opsMarkdown(), 'docs/ops.md is out of date: run `node bin/run-ts.mjs scripts/gen-ops-doc.ts`').toBe(true);
    for (const op of OP_KINDS) expect(doc).toContain(`| \`${op}\` |`);
  });
});

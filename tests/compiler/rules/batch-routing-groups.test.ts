import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { compile, inMemoryFiles } from '../../../compiler/compile.ts';
import { batchMultiple } from '../../../compiler/check/batch-multiple.ts';
import { parseDim } from '../../../compiler/graph/dims.ts';
import type { Graph } from '../../../compiler/graph/ir.ts';
import { codes, modelOf, renderFixture } from '../harness.ts';

const FIXTURE = 'tests/fixtures/check/batch-routing-groups.moe';

/** The batch multiple the lowered graph needs: every symbolic dim B·n/d whole (independent of the rule). */
function graphMultiple(graph: Graph): number {
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  let m = 1;
  for (const node of graph.nodes)
    for (const d of node.shape) {
      if (typeof d !== 'string') continue;
      const r = parseDim(d);
      const den = r.den / gcd(r.num, r.den);
      m = (m * den) / gcd(m, den);
    }
  return m;
}

describe('batch-routing-groups', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture(FIXTURE)).toMatchFileSnapshot('../../fixtures/check/batch-routing-groups.expected');
  });
  it('agrees with the batch multiple of the lowered graph', () => {
    const spec = (group: number, patch = 7) =>
      `model m {\n image: 28x28x1, patch: ${patch}, width: 16, depth: 2, heads: 2, mlp: 32, classes: 10\n blocks 0: moe(soft(experts: 2, group: ${group}))\n blocks 1: moe(expert_choice(experts: 2, group: 16))\n}\n`;
    for (const [group, patch] of [[16, 7], [32, 7], [48, 7], [8, 14], [4, 14]] as const) {
      const c = compile('m.moe', { readFile: inMemoryFiles({ 'm.moe': spec(group, patch) }), train: false });
      expect(c.ok, `group ${group} patch ${patch}`).toBe(true);
      expect(batchMultiple(c.model!).multiple, `group ${group} patch ${patch}`).toBe(graphMultiple(c.graph()));
    }
    expect(batchMultiple(modelOf(spec(48))).multiple).toBe(3);
  });
  it('judges the batch that command-line flags choose, without a span', () => {
    const text = fs.readFileSync(FIXTURE, 'utf8');
    const files = inMemoryFiles({ 'b.moe': text });
    const fixed = compile('b.moe', { readFile: files, train: 'odd', trainFlags: { batch: 8 } });
    expect(fixed.ok).toBe(true);
    expect(fixed.train!.batch).toBe(8);
    const broken = compile('b.moe', { readFile: files, train: 'even', trainFlags: { batch: 5 } });
    expect(broken.ok).toBe(false);
    expect(codes(broken.diagnostics.filter((d) => d.severity === 'error'))).toEqual(['MOE0321', 'MOE0321']);
    const flagged = broken.diagnostics.find((d) => d.message.startsWith('--batch 5'))!;
    expect(flagged.span).toBeUndefined();
    expect(flagged.help).toContain('batch: 4 or batch: 6');
  });
});

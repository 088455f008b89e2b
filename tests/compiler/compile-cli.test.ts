// `moec compile`: summary, --json, --print, --set, --model, -o with json/yaml/dot,
// and invariants of the compiled graphs of the language.md examples.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../support/run-cli.ts';
import { loadProgram, selectModel } from '../../compiler/index.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import { validateGraph } from '../../compiler/graph/schema.ts';
import { costOf } from '../../compiler/cost.ts';
import type { Graph } from '../../compiler/graph/ir.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'moec-compile-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const MNIST = 'tests/fixtures/compile/mnist_soft.moe';

describe('moec compile', () => {
  it('prints a per-block summary with totals', async () => {
    const r = await runCli(['compile', MNIST]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mnist_soft: 49 tokens per image, 3 MoE blocks of 6');
    expect(r.stdout).toMatch(/│\s+3 │ MoE soft_moe, 8 experts × 2 slots/);
    expect(r.stdout).toMatch(/│\s+│ total\s+│ 557,005 │/);
  });
  it('--json prints the summary as JSON', async () => {
    const r = await runCli(['compile', MNIST, '--json']);
    const s = JSON.parse(r.stdout);
    expect(s.totalParams).toBe(557_005);
    expect(s.blocks).toHaveLength(6);
    expect(s.blocks[5]).toMatchObject({ kind: 'moe', router: 'soft_moe', experts: 8, capacity: 2 });
  });
  it('--set changes the compiled model, with checks', async () => {
    const ok = await runCli(['compile', MNIST, '--json', '--set', 'width=32', '--set', 'router.experts=4']);
    expect(ok.code).toBe(0);
    const small = JSON.parse(ok.stdout);
    expect(small.blocks[5].experts).toBe(4);
    expect(small.totalParams).toBeLessThan(557_005);
    const bad = await runCli(['compile', MNIST, '--set', 'heads=3']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('<--set>:1:7 error MOE0306: heads 3 does not divide width 64');
  });
  it('--print prints the resolved spec, which compiles to the same graph', async () => {
    const r = await runCli(['compile', MNIST, '--print']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('model mnist_soft {');
    expect(r.stdout).toContain('train quick {');
    const file = path.join(tmp, 'printed.moe');
    fs.writeFileSync(file, r.stdout);
    const [a, b] = [MNIST, file].map((f) => {
      const p = loadProgram(f);
      return JSON.stringify(lowerModel({ ...selectModel(p).value!, source: undefined }).nodes);
    });
    expect(b).toBe(a);
  });
  it('-o writes a validated graph as JSON, YAML or DOT', async () => {
    for (const ext of ['json', 'yaml', 'dot']) {
      const out = path.join(tmp, `g.${ext}`);
      const r = await runCli(['compile', MNIST, '-o', out]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`wrote ${out} (${ext}`);
      const text = fs.readFileSync(out, 'utf8');
      if (ext === 'dot') expect(text).toMatch(/^digraph "mnist_soft" \{[\s\S]*"images" -> "patch_grid";/);
      else expect(validateGraph(ext === 'json' ? JSON.parse(text) : parseYaml(text), text, ext as 'json' | 'yaml')).toEqual([]);
    }
  });
  it('--model picks one of several models, and asks for it otherwise', async () => {
    const file = path.join(tmp, 'two.moe');
    fs.writeFileSync(file, 'model a extends vit_ti16 { }\nmodel b extends vit_ti16 { depth: 2 }\n');
    const none = await runCli(['compile', file]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('error MOE0211');
    expect(none.stderr).toContain('choose one with --model a');
    const b = await runCli(['compile', file, '--model', 'b', '--json']);
    expect(JSON.parse(b.stdout).blocks).toHaveLength(2);
  });
  it('reports a missing file and an unknown format as user errors', async () => {
    expect((await runCli(['compile', 'nope.moe'])).stderr).toContain("error: cannot read 'nope.moe'");
    const r = await runCli(['compile', MNIST, '--format', 'svg']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown graph format 'svg'");
  });
});

/** Op kinds and how often each occurs. */
function opHistogram(graph: Graph): Record<string, number> {
  const h: Record<string, number> = {};
  for (const n of graph.nodes) h[n.op] = (h[n.op] ?? 0) + 1;
  return Object.fromEntries(Object.entries(h).sort(([x], [y]) => (x < y ? -1 : 1)));
}

/** What a graph computes, without node ids or scopes: parameters, op histogram, output shapes. */
function graphSummary(graph: Graph): object {
  const shapes = new Map(graph.nodes.map((n) => [n.id, n.shape.join(' × ')]));
  return {
    params: graph.params.map((p) => `${p.name} [${p.shape.join(', ')}]${p.trainable ? '' : ' fixed'}`),
    ops: opHistogram(graph),
    outputs: Object.fromEntries(Object.entries(graph.outputs).map(([name, id]) => [name, shapes.get(id)])),
  };
}

// Invariants of every compiled example instead of whole-graph goldens (node ids, scopes
// and FLOP bookkeeping may change freely); one small golden summary for mnist_soft.
describe('compiled graphs', () => {
  const files = [
    ...['mnist_soft', 'soft_moe_s16', 'mnist_routers'].map((n) => `tests/fixtures/compile/${n}.moe`),
    ...(fs.existsSync('examples') ? fs.readdirSync('examples').filter((f) => f.endsWith('.moe')).map((f) => `examples/${f}`) : []),
  ];
  for (const file of files) {
    it(`${file}: schema-valid, parameters, ops and outputs consistent with the model`, () => {
      const p = loadProgram(file);
      expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      for (const name of p.entryModels) {
        const model = p.models.get(name)!;
        const graph = lowerModel(model, { source: file });
        expect(validateGraph(JSON.parse(JSON.stringify(graph)))).toEqual([]);
        // Parameters: unique names, each read by exactly one param node, counted by the cost model.
        const names = graph.params.map((q) => q.name);
        expect(new Set(names).size).toBe(names.length);
        const read = graph.nodes.filter((n) => n.op === 'param').map((n) => String(n.attrs.name));
        expect([...read].sort()).toEqual([...names].sort());
        const size = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1);
        expect(costOf(graph).totalParams).toBe(graph.params.filter((q) => q.trainable).reduce((a, q) => a + size(q.shape), 0));
        // A pre-norm ViT: two layer norms per block and a final one; one attention softmax per block at least.
        const ops = opHistogram(graph);
        expect(ops.layer_norm).toBe(2 * model.depth + 1);
        expect(ops.softmax ?? 0).toBeGreaterThanOrEqual(model.depth);
        const moe = graph.blocks.filter((b) => b.kind === 'moe');
        expect(moe.length).toBe(model.blocks.filter((b) => b.kind === 'moe').length);
        expect(ops.expert_matmul ?? 0).toBe(2 * moe.length);
        // Outputs: logits [B, classes]; per MoE block dispatch/combine [B·T/S, S, E, C].
        const shapeOf = (out: string) => graph.nodes.find((n) => n.id === graph.outputs[out])!.shape;
        expect(shapeOf('logits')).toEqual(['B', model.classes]);
        for (const b of moe) {
          const groups = model.tokens === b.group ? 'B' : undefined;
          for (const t of ['dispatch', 'combine']) {
            const [g, ...rest] = shapeOf(`block_${b.index}/${t}`);
            expect(rest, `${name} block ${b.index} ${t}`).toEqual([b.group, b.experts, b.capacity]);
            if (groups) expect(g).toBe(groups);
          }
        }
      }
    });
  }
  it('mnist_soft: parameters, op histogram and output shapes as in its small golden', async () => {
    const p = loadProgram(MNIST);
    const graph = lowerModel(p.models.get('mnist_soft')!);
    await expect(JSON.stringify(graphSummary(graph), null, 1) + '\n').toMatchFileSnapshot('../fixtures/compile/mnist_soft.summary.json');
  });
  it('the Soft MoE S/16 example has the expected size', () => {
    const p = loadProgram('tests/fixtures/compile/soft_moe_s16.moe');
    const c = costOf(lowerModel(p.models.get('soft_moe_s16')!));
    // ViT-S/16 with GAP: 22,049,896 (timm's 22,050,664 with a class token, less its 384 and one 384-wide posemb row);
    // each Soft MoE block adds 127 experts of 1,181,568, the 384×128×1 slot parameters and the scale.
    expect(c.totalParams).toBe(22_049_896 + 6 * (127 * (384 * 1536 + 1536 + 1536 * 384 + 384) + 384 * 128 + 1));
  });
});

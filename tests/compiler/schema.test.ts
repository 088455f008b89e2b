// The op-graph JSON Schema and the graph checks it cannot express.
import { describe, expect, it } from 'vitest';
import { loadGraphFile, validateGraph } from '../../compiler/graph/schema.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import { renderDiagnostics } from '../../diagnostics/render.ts';
import { codes, modelOf } from './harness.ts';

function renderGraphFixture(name: string): string {
  const path = `tests/fixtures/graph/${name}`;
  const loaded = loadGraphFile(path);
  return renderDiagnostics(loaded.diagnostics, new Map(loaded.source !== undefined ? [[path, loaded.source]] : []), { color: false });
}

describe('graph schema fixtures', () => {
  for (const name of ['schema-errors.yaml', 'semantic-errors.yaml', 'inference-errors.yaml', 'not-yaml.yaml', 'not-json.json', 'arity.json']) {
    it(`renders ${name} as in its golden file`, async () => {
      await expect(renderGraphFixture(name)).toMatchFileSnapshot(`../fixtures/graph/${name}.expected`);
    });
  }
  it('accepts the minimal valid graph', () => {
    const loaded = loadGraphFile('tests/fixtures/graph/valid.yaml');
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.graph?.nodes).toHaveLength(5);
  });
});

describe('validateGraph', () => {
  it('accepts the compiled graph of every router family', () => {
    const m = modelOf(`model m { image: 16x16x1, patch: 4, width: 16, depth: 6, heads: 2, mlp: 32, classes: 3, pool: cls
      blocks 0: moe(token_choice(experts: 4, k: 2))
      blocks 1: moe(token_choice(experts: 4, normalize: sinkhorn))
      blocks 2: moe(expert_choice(experts: 4))
      blocks 3: moe(expert_choice(experts: 4, normalize: sinkhorn))
      blocks 4: moe(expert_choice(experts: 4, normalize: sparsity))
      blocks 5: moe(soft(experts: 4, slots: 2)) }`);
    expect(validateGraph(JSON.parse(JSON.stringify(lowerModel(m))))).toEqual([]);
  });
  it('names the JSON path and line:col in a JSON file', () => {
    const text = '{\n  "format": "moec-graph/3"\n}';
    const d = validateGraph(JSON.parse(text), text, 'json', 'g.json');
    const format = d.find((x) => x.message.startsWith('format'))!;
    expect(format.message).toBe('format must be "moec-graph/2" or "moec-graph/1"');
    expect(format.span).toMatchObject({ file: 'g.json', start: { line: 2, column: 13 } });
    expect(codes(d).every((c) => c === 'MOE0401')).toBe(true);
  });
  it('still names the path without the source text', () => {
    const d = validateGraph({ format: 'moec-graph/2' });
    expect(d.map((x) => x.message)).toContain("(root) is missing the property 'meta'");
    expect(d.every((x) => x.span === undefined)).toBe(true);
  });
});

// Names, imports, presets, `extends` and late-bound fields (compiler/resolve).
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../diagnostics/catalogue.ts';
import { check, codes, modelOf, programOf, renderFixture } from './harness.ts';

const RESOLVE_FIXTURES = [
  'missing-import/main.moe',
  'import-cycle/a.moe',
  'duplicate-declaration.moe',
  'unknown-model.moe',
  'extends-cycle.moe',
  'unknown-router.moe',
  'field-cycle.moe',
  'duplicate-field.moe',
  'wrong-kind.moe',
  'select-model.moe',
  'set-override.moe',
  'set-router-dense.moe',
];

describe('resolve fixtures', () => {
  for (const f of RESOLVE_FIXTURES) {
    it(`renders ${f} as in its golden file`, async () => {
      await expect(renderFixture(`tests/fixtures/resolve/${f}`)).toMatchFileSnapshot(`../fixtures/resolve/${f.replace(/\.moe$/, '.expected')}`);
    });
  }
});

describe('imports', () => {
  it('resolves imports relative to the importing file', () => {
    const p = programOf(
      {
        'a/main.moe': 'import "lib/routers.moe"\nmodel m extends base { blocks last 2: moe(r) }',
        'a/lib/routers.moe': 'import "../base.moe"\nrouter r = soft(experts: 4)',
        'a/base.moe': 'model base extends vit_ti16 { width: 96 }',
      },
      'a/main.moe',
    );
    expect(p.diagnostics).toEqual([]);
    expect(p.models.get('m')!.width).toBe(96);
    expect(p.entryModels).toEqual(['m']);
  });
  it('reports the cycle at the import that closes it, naming the files', () => {
    const p = programOf({ 'a.moe': 'import "b.moe"', 'b.moe': 'import "c.moe"', 'c.moe': 'import "a.moe"' }, 'a.moe');
    expect(codes(p.diagnostics)).toEqual(['MOE0202']);
    expect(p.diagnostics[0].span?.file).toBe('c.moe');
    expect(p.diagnostics[0].message).toBe('import cycle: a.moe → b.moe → c.moe → a.moe');
  });
  it('loads a file imported twice only once', () => {
    const p = programOf({ 'main.moe': 'import "x.moe"\nimport "y.moe"', 'x.moe': 'import "z.moe"', 'y.moe': 'import "z.moe"', 'z.moe': 'model z extends vit_ti16 { }' });
    expect(p.diagnostics).toEqual([]);
    expect([...p.models.keys()]).toEqual(['z', 'vit_ti16']);
  });
});

describe('presets and extends', () => {
  it('has the language.md §6 presets in scope', () => {
    const dims = { vit_ti16: [192, 12, 768, 3], vit_s16: [384, 12, 1536, 6], vit_s32: [384, 12, 1536, 6], vit_b16: [768, 12, 3072, 12], vit_b32: [768, 12, 3072, 12], vit_l16: [1024, 24, 4096, 16], vit_h14: [1280, 32, 5120, 16] };
    const p = check('model m extends vit_ti16 { }');
    for (const [name, [width, depth, mlp, heads]] of Object.entries(dims)) {
      const m = p.presets.get(name)!;
      expect({ width: m.width, depth: m.depth, mlp: m.mlp, heads: m.heads }).toEqual({ width, depth, mlp, heads });
      expect(m.image).toEqual([224, 224, 3]);
      expect(m.classes).toBe(1000);
      expect(m.pool).toBe('gap');
      expect(m.patch[0]).toBe(Number(name.slice(-2)));
      expect(m.blocks.every((b) => b.kind === 'dense')).toBe(true);
    }
  });
  it('evaluates a base field late, after the child overrides what it depends on', () => {
    const p = check('model base { image: 28x28x1, patch: 4, width: 64, depth: 2, heads: 4, mlp: 4 * width, classes: 10 }\nmodel child extends base { width: 32 }');
    expect(p.models.get('base')!.mlp).toBe(256);
    expect(p.models.get('child')!.mlp).toBe(128);
  });
  it('puts the child block rules after the base rules', () => {
    const m = modelOf('model a extends vit_ti16 { blocks all: moe(soft(experts: 4)) }\nmodel b extends a { blocks 0: dense }', 'b');
    expect(m.blocks[0].kind).toBe('dense');
    expect(m.blocks.slice(1).every((b) => b.kind === 'moe')).toBe(true);
  });
  it('lets a user model shadow a preset', () => {
    const p = check('model vit_s16 extends vit_ti16 { classes: 10 }');
    expect(p.diagnostics).toEqual([]);
    expect(p.models.get('vit_s16')!.classes).toBe(10);
  });
  it('names the fields of a cycle that spans inheritance', () => {
    const d = check('model a extends vit_ti16 { width: heads * 64 }\nmodel b extends a { heads: width / 64 }').diagnostics;
    expect(codes(d)).toEqual(['MOE0207']);
    expect(d[0].message).toContain('width → heads → width');
  });
});

/** Codes only a value built in code can produce, not a .moe file (each tested where it is raised). */
const LIBRARY_ONLY = new Set(['MOE0340' /* loadDataset of a hand-built DataSpec: tests/train/data-registry.test.ts */]);

describe('catalogue', () => {
  it('has a description for every code and a fixture producing every MOE02xx/MOE03xx code', () => {
    const goldens = ['check', 'resolve'].flatMap((dir) => listExpected(`tests/fixtures/${dir}`)).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    for (const [code, info] of Object.entries(catalogue)) {
      expect(info.description.length).toBeGreaterThan(10);
      if (/^MOE0[23]/.test(code) && !LIBRARY_ONLY.has(code)) expect(goldens, `no fixture produces ${code}`).toContain(` ${code}:`);
    }
  });
});

describe('rule layout', () => {
  it('gives every rule file its own test and fixture with a golden', () => {
    for (const file of fs.readdirSync('compiler/check/rules')) {
      const rule = file.replace(/\.ts$/, '');
      expect(fs.existsSync(`tests/compiler/rules/${rule}.test.ts`), rule).toBe(true);
      expect(fs.existsSync(`tests/fixtures/check/${rule}.moe`), rule).toBe(true);
      expect(fs.existsSync(`tests/fixtures/check/${rule}.expected`), rule).toBe(true);
    }
  });
  it('has a graph fixture producing every MOE04xx code', () => {
    const goldens = listExpected('tests/fixtures/graph').map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    for (const code of Object.keys(catalogue).filter((c) => c.startsWith('MOE04'))) expect(goldens, code).toContain(` ${code}:`);
  });
});

function listExpected(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listExpected(`${dir}/${e.name}`) : e.name.endsWith('.expected') ? [`${dir}/${e.name}`] : []));
}

// The specs/ folder: presets and paper configurations check cleanly, say where
// their numbers come from, and have the published shapes.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../compiler/index.ts';
import type { ResolvedModel } from '../../compiler/model.ts';
import { routerKind } from '../../compiler/routers/index.ts';

function only(file: string): ResolvedModel {
  const p = loadProgram(file);
  expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(p.entryModels).toHaveLength(1);
  return p.models.get(p.entryModels[0])!;
}

const moeBlocks = (m: ResolvedModel): number[] => m.blocks.flatMap((b, i) => (b.kind === 'moe' ? [i] : []));

describe('specs/', () => {
  const files = [...fs.readdirSync('specs').map((f) => `specs/${f}`), ...fs.readdirSync('specs/router-study').map((f) => `specs/router-study/${f}`)].filter((f) => f.endsWith('.moe'));

  it('every spec starts with a comment and checks without errors or warnings (except V-MoE capacity rounding)', () => {
    for (const f of files) {
      expect(fs.readFileSync(f, 'utf8').startsWith('#'), f).toBe(true);
      const d = loadProgram(f).diagnostics.filter((x) => !(f.endsWith('vmoe_b32.moe') && x.code === 'MOE0313'));
      expect(d, f).toEqual([]);
    }
  });

  it('Soft MoE configurations follow routers.md §7', () => {
    const cases: Array<[string, number, number, number]> = [
      ['soft_moe_s16', 128, 6, 12],
      ['soft_moe_b16', 128, 6, 12],
      ['soft_moe_l16', 128, 12, 24],
      ['soft_moe_h14', 256, 16, 32],
    ];
    for (const [name, experts, last, depth] of cases) {
      const m = only(`specs/${name}.moe`);
      expect(m.depth).toBe(depth);
      expect(moeBlocks(m)).toEqual(Array.from({ length: last }, (_, i) => depth - last + i));
      for (const i of moeBlocks(m)) expect(m.blocks[i]).toMatchObject({ kind: 'moe', router: { family: 'soft', experts, slots: 1 } });
    }
  });

  it('V-MoE B/32 has 8 experts, k = 2, capacity 1.05 in every other block', () => {
    const m = only('specs/vmoe_b32.moe');
    expect(m.pool).toBe('cls');
    expect(moeBlocks(m)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(m.blocks[1]).toMatchObject({ router: { family: 'token_choice', experts: 8, k: 2, capacityFactor: 1.05, importanceLoss: 0.005, loadLoss: 0.005 } });
  });

  it('the router study covers the six routers and a dense twin of one B/32 model', () => {
    const kinds = new Set<string>();
    const shapes = new Set<string>();
    for (const f of files.filter((x) => /router-study\/b32_(?!base)/.test(x))) {
      const m = only(f);
      shapes.add(JSON.stringify([m.image, m.patch, m.width, m.depth, m.heads, m.mlp, m.classes, m.pool]));
      const moe = moeBlocks(m);
      if (moe.length === 0) kinds.add('dense');
      else {
        expect(moe).toEqual([6, 7, 8, 9, 10, 11]);
        const b = m.blocks[6];
        if (b.kind === 'moe') {
          kinds.add(routerKind(b.router));
          expect(b.router.experts).toBe(32);
        }
      }
    }
    expect(shapes.size).toBe(1);
    expect([...kinds].sort()).toEqual(
      ['dense', 'sinkhorn_expert_choice', 'sinkhorn_token_choice', 'soft_moe', 'softmax_expert_choice', 'softmax_token_choice', 'sparsity_constrained_expert_choice'].sort(),
    );
  });
});

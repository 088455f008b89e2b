import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { computeCapacity } from '../../../compiler/index.ts';
import { check, codes, modelOf, renderFixture } from '../harness.ts';

describe('capacity', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/capacity.moe')).toMatchFileSnapshot('../../fixtures/check/capacity.expected');
  });
  it('computes routers.md §3 worked numbers', () => {
    // S=196, E=32, k=1, c=1.05 → ceil(6.43) = 7 → 8 (multiple of 4).
    const tc = modelOf('model m extends vit_ti16 { blocks 0: moe(token_choice(experts: 32, capacity: 1.05)) }').blocks[0];
    expect(tc.kind === 'moe' && tc.router.family === 'token_choice' && tc.router.capacity).toBe(8);
    // EC S=196, E=128, c=1, round → 2 slots per expert.
    const ec = modelOf('model m extends vit_ti16 { blocks 0: moe(expert_choice(experts: 128)) }').blocks[0];
    expect(ec.kind === 'moe' && ec.router.family === 'expert_choice' && ec.router.capacity).toBe(2);
    // Soft: round(S·c/E) = round(196·2/16) = round(24.5) = 24 (half to even, as Python).
    const soft = modelOf('model m extends vit_ti16 { blocks 0: moe(soft(experts: 16, capacity: 2.0)) }').blocks[0];
    expect(soft.kind === 'moe' && soft.router.family === 'soft' && soft.router.slots).toBe(24);
  });
  it('does not warn for a default capacity factor', () => {
    expect(check('model m extends vit_ti16 { blocks 0: moe(token_choice(experts: 32)) }').diagnostics).toEqual([]);
  });
  it('agrees with the resolved capacity of every router reference case', () => {
    const dir = 'tests/fixtures/router-cases';
    let checked = 0;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      const p = JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')).params;
      if (p.resolved_capacity === undefined || p.capacity_factor === undefined || p.capacity_factor === null) continue;
      const tokens = p.router.endsWith('token_choice') ? p.group_size * p.k : p.group_size;
      expect(computeCapacity(tokens, p.num_experts, p.capacity_factor, p.capacity_ceil_or_round, p.capacity_multiple_of).capacity, f).toBe(p.resolved_capacity);
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });
});

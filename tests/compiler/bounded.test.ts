// The checker is bounded (../shared/repro/check-stack-overflow.sh): no recursion that
// grows with the input (a 5,000-model extends chain), and at most 200 diagnostics
// shown with a count of the rest, in text and in JSON.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnostic } from '../../diagnostics/catalogue.ts';
import { limitDiagnostics, MAX_DIAGNOSTICS } from '../../diagnostics/limit.ts';
import { runCli } from '../support/run-cli.ts';
import { check, codes } from './harness.ts';

describe('bounded checker', () => {
  it('resolves a 5,000-model extends chain without recursion', () => {
    const chain = Array.from({ length: 5000 }, (_, i) => `model m${i} extends m${i + 1} { }`).join('\n');
    const p = check(chain);
    expect(codes(p.diagnostics)).toEqual(['MOE0204']);
    expect(p.diagnostics[0]!.message).toBe("unknown model 'm5000'");
    const cycle = check(`${chain}\nmodel m5000 extends m0 { }`);
    expect(codes(cycle.diagnostics)).toEqual(['MOE0205']);
    const ok = check(`${Array.from({ length: 5000 }, (_, i) => `model m${i} extends m${i + 1} { }`).join('\n')}\nmodel m5000 { width: 8 }`);
    expect(codes(ok.diagnostics).filter((c) => c === 'MOE0204' || c === 'MOE0205')).toEqual([]);
  });

  it('shows at most 200 diagnostics and counts the rest (also past the spread-argument limit)', () => {
    const many = Array.from({ length: 150_000 }, (_, i) => diagnostic(i % 3 ? 'MOE0103' : 'MOE0237', `d${i}`, undefined));
    const shown = limitDiagnostics(many);
    expect(shown).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(shown.slice(0, -1).every((d) => d.severity === 'error')).toBe(true);
    expect(shown.at(-1)!.code).toBe('MOE0112');
    expect(shown.at(-1)!.message).toBe('149800 more diagnostics not shown (99800 of them errors); 150000 in all');
    expect(limitDiagnostics(many.slice(0, 5))).toHaveLength(5);
  });

  it('moec check: a capped list in text and JSON, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'moec-bounded-'));
    writeFileSync(join(dir, 'many.moe'), '@ '.repeat(3000));
    const json = await runCli(['check', '--format', 'json', join(dir, 'many.moe')]);
    expect(json.code).toBe(1);
    const list = JSON.parse(json.stdout) as { code: string; message: string }[];
    expect(list).toHaveLength(201);
    expect(list.find((d) => d.code === 'MOE0112')!.message).toMatch(/^2800 more diagnostics not shown/);
    const text = await runCli(['check', join(dir, 'many.moe')]);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/note MOE0112: 2800 more diagnostics not shown/);
    expect(text.stderr).toMatch(/1 file checked: 3000 errors/);
  });
});

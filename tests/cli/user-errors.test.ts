// Inputs a user can write that once ended in "internal error" (exit 2) through the CLI:
// each is now a located diagnostic from `moec check` or a coded user error (exit 1).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'moec-user-errors-'));

describe('user errors, never internal errors', () => {
  it('the review P6 repro (batch 7, a routing group spanning two images) is MOE0321 at the batch field', async () => {
    // Same spec as ../shared/repro/batch-group.sh.
    const spec = readFileSync('tests/fixtures/check/batch-routing-groups.moe', 'utf8');
    writeFileSync(join(dir, 'tiny.moe'), spec);
    const check = await runCli(['check', 'tiny.moe'], { cwd: dir });
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/^tiny\.moe:15:10 error MOE0321: batch 7 does not fit model 'tiny'/m);
    const train = await runCli(['train', 'tiny.moe', '--train', 'odd', '--out', 'run', '--backend', 'cpu'], { cwd: dir });
    expect(train.code).toBe(1);
    expect(train.stderr).toContain('MOE0321');
    expect(train.stderr).not.toContain('internal error');
    expect(existsSync(join(dir, 'run'))).toBe(false);
    // --batch on the command line is judged the same way (no span: it is a flag).
    const flag = await runCli(['train', 'tiny.moe', '--train', 'even', '--batch', '5', '--out', 'run2', '--backend', 'cpu'], { cwd: dir });
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/error MOE0321: --batch 5 does not fit model 'tiny'/);
  });

  it('data with more classes than the model, and colour data for a greyscale model, are check-time diagnostics', async () => {
    for (const name of ['data-classes', 'data-image']) {
      writeFileSync(join(dir, `${name}.moe`), readFileSync(`tests/fixtures/check/${name}.moe`, 'utf8'));
      const r = await runCli(['check', `${name}.moe`], { cwd: dir });
      expect(r.code, name).toBe(1);
      expect(r.stderr).toMatch(name === 'data-classes' ? /data-classes\.moe:8:9 error MOE0322/ : /data-image\.moe:13:9 error MOE0323/);
    }
  });

  it('bench with a batch the routing groups do not divide is MOE0524, and a missing spec a plain user error', async () => {
    const spec = readFileSync('tests/fixtures/check/batch-routing-groups.moe', 'utf8');
    writeFileSync(join(dir, 'model.moe'), spec.slice(0, spec.indexOf('train odd')));
    const bench = await runCli(['bench', 'model.moe', '--batch', '3', '--steps', '1', '--backend', 'cpu'], { cwd: dir });
    expect(bench.code).toBe(1);
    expect(bench.stderr).toMatch(/error: MOE0524: --batch 3 does not fit model tiny/);
    const missing = await runCli(['eval', 'nowhere'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).not.toContain('internal error');
  });
});

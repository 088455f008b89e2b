// The moec command line, run in-process: exit codes, output streams, colours, faults.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../cli/context.ts';
import type { CommandModule } from '../../cli/commands/index.ts';
import { runCli } from '../support/run-cli.ts';

const valid = 'model m extends vit_ti16 {\n  width: 96\n}\n';
const unformatted = 'model m extends vit_ti16 { width: 96 }\n';
const broken = 'model m extends vit_ti16 {\n  width 96\n}\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'moec-cli-'));
  writeFileSync(join(dir, 'valid.moe'), valid);
  writeFileSync(join(dir, 'unformatted.moe'), unformatted);
  writeFileSync(join(dir, 'broken.moe'), broken);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(argv, { cwd: dir, ...options });

describe('moec check', () => {
  it('exits 0 on a clean file', async () => {
    const r = await run(['check', 'valid.moe', 'unformatted.moe']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '2 files checked: 0 errors, 0 warnings\n' });
  });

  it('exits 1 and renders the diagnostics of a broken file', async () => {
    const r = await run(['check', 'valid.moe', 'broken.moe']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        "broken.moe:2:9 error MOE0101: expected ':' after field name 'width', found '96'",
        '   2 |   width 96',
        '     |         ^^',
        '2 files checked: 1 error, 0 warnings',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON on stdout with --format json', async () => {
    const r = await run(['check', '--format', 'json', 'broken.moe']);
    expect(r.code).toBe(1);
    const items = JSON.parse(r.stdout);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ code: 'MOE0101', severity: 'error', location: { file: 'broken.moe', line: 2, column: 9 } });
    expect(r.stderr).toBe('');
    const clean = await run(['check', '--format', 'json', 'valid.moe']);
    expect(clean).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('names a missing file, checks the others and exits 1', async () => {
    const r = await run(['check', 'nope.moe', 'valid.moe']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: cannot read 'nope.moe': no such file\n");
    expect(r.stderr).toContain('1 file checked: 0 errors, 0 warnings');
  });

  it('rejects an unknown format', async () => {
    const r = await run(['check', '--format', 'xml', 'valid.moe']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: unknown format 'xml'");
  });

  it('needs at least one file', async () => {
    const r = await run(['check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("missing required argument 'files'");
  });
});

describe('moec fmt', () => {
  it('prints the formatted text to stdout', async () => {
    const r = await run(['fmt', 'unformatted.moe']);
    expect(r).toEqual({ code: 0, stdout: valid, stderr: '' });
  });

  it('--check exits 1 and names the files that would change', async () => {
    const r = await run(['fmt', '--check', 'valid.moe', 'unformatted.moe']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('unformatted.moe\n');
    expect(r.stderr).toContain('1 file would be reformatted');
    expect(readFileSync(join(dir, 'unformatted.moe'), 'utf8')).toBe(unformatted);
    expect((await run(['fmt', '--check', 'valid.moe'])).code).toBe(0);
  });

  it('--write rewrites only the files that change', async () => {
    const before = statSync(join(dir, 'valid.moe')).mtimeMs;
    const r = await run(['fmt', '--write', 'valid.moe', 'unformatted.moe']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'formatted unformatted.moe\n' });
    expect(readFileSync(join(dir, 'unformatted.moe'), 'utf8')).toBe(valid);
    expect(statSync(join(dir, 'valid.moe')).mtimeMs).toBe(before);
    expect((await run(['fmt', '--check', 'unformatted.moe'])).code).toBe(0);
  });

  it('does not format a file with syntax errors', async () => {
    const r = await run(['fmt', '--write', 'broken.moe']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broken.moe:2:9 error MOE0101');
    expect(r.stderr).toContain("'broken.moe' was not formatted because it has syntax errors");
    expect(readFileSync(join(dir, 'broken.moe'), 'utf8')).toBe(broken);
  });

  it('refuses --write with --check', async () => {
    const r = await run(['fmt', '--write', '--check', 'valid.moe']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--write and --check cannot be used together');
  });
});

describe('moec', () => {
  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('--help and COMMAND --help exit 0', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Usage: moec');
    expect(top.stdout).toContain('check');
    expect(top.stdout).toContain('fmt');
    const fmt = await run(['fmt', '--help']);
    expect(fmt.code).toBe(0);
    expect(fmt.stdout).toContain('--write');
  });

  it('exits 1 with a short message on an unknown command or option', async () => {
    const cmd = await run(['frobnicate']);
    expect(cmd.code).toBe(1);
    expect(cmd.stderr).toContain("unknown command 'frobnicate'");
    const opt = await run(['check', '--frob', 'valid.moe']);
    expect(opt.code).toBe(1);
    expect(opt.stderr).toContain("unknown option '--frob'");
    expect(opt.stderr.split('\n').length).toBeLessThan(5);
  });

  it('colours only on a terminal, never with NO_COLOR or --no-color', async () => {
    const ansi = /\u001b\[/;
    expect((await run(['check', 'broken.moe'], { tty: true })).stderr).toMatch(ansi);
    expect((await run(['check', 'broken.moe'], { tty: false })).stderr).not.toMatch(ansi);
    expect((await run(['check', 'broken.moe'], { tty: true, env: { NO_COLOR: '1' } })).stderr).not.toMatch(ansi);
    expect((await run(['--no-color', 'check', 'broken.moe'], { tty: true })).stderr).not.toMatch(ansi);
  });

  const failing: CommandModule = {
    register(program) {
      program.command('explode').action(() => {
        throw new TypeError('boom');
      });
      program.command('refuse').action(() => {
        throw new UserError('that cannot be done', 'try something else');
      });
    },
  };

  it('reports an internal fault with exit 2, the stack only with --verbose', async () => {
    const quiet = await run(['explode'], { extraCommands: [failing] });
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).toMatch(/^internal error: boom\nplease report it .*\(run with --verbose for the stack trace\)\n$/);
    const loud = await run(['--verbose', 'explode'], { extraCommands: [failing] });
    expect(loud.code).toBe(2);
    expect(loud.stderr).toContain('TypeError: boom\n    at ');
  });

  it('prints a UserError as error and help, exit 1', async () => {
    const r = await run(['refuse'], { extraCommands: [failing] });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: that cannot be done\nhelp: try something else\n' });
  });
});

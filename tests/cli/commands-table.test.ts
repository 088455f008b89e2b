// The command table lists each command without importing it (fast start-up); what it
// lists must be what the command's module registers, and `moec --help` must not import
// any command module.
import { describe, expect, it } from 'vitest';
import { Command, Help } from 'commander';
import { COMMANDS, invokedCommand } from '../../cli/commands/index.ts';
import type { CliContext } from '../../cli/context.ts';
import { runCli } from '../support/run-cli.ts';

const silentContext = {} as CliContext;

describe('command table', () => {
  it.each(COMMANDS.map((entry) => [entry.name, entry] as const))('%s: listed term and summary equal the registered command', async (_name, entry) => {
    const program = new Command('moec');
    (await entry.load()).register(program, silentContext, () => {});
    const registered = program.commands.find((c) => c.name() === entry.name);
    expect(registered, `module of ${entry.name} registers a command of that name`).toBeDefined();
    expect(new Help().subcommandTerm(registered!)).toBe(entry.term);
    expect(registered!.description()).toBe(entry.summary);
  });

  it('names are unique', () => {
    expect(new Set(COMMANDS.map((e) => e.name)).size).toBe(COMMANDS.length);
  });

  it('finds the invoked command after global options and behind `help`', () => {
    expect(invokedCommand(['--verbose', 'check', 'a.moe'])?.name).toBe('check');
    expect(invokedCommand(['help', 'train'])?.name).toBe('train');
    expect(invokedCommand(['--no-color'])).toBeUndefined();
    expect(invokedCommand(['nonsense'])).toBeUndefined();
  });

  it('moec --help lists every command with its term, loading none', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const entry of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${entry.term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${entry.summary.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
  });

  it('an unknown command still gets a suggestion', async () => {
    const r = await runCli(['chek', 'a.moe']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Did you mean check\?/);
  });

  it('moec help COMMAND shows that command\'s options', async () => {
    const r = await runCli(['help', 'fmt']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--check/);
  });
});

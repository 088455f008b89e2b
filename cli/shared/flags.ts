// The flags several commands share, declared once: --backend, --set, --train (and
// the integer parsing every command uses). A command adds them with the helpers
// below, so their names and help texts are the same everywhere.
import type { Command } from 'commander';
import { UserError } from '../../diagnostics/fault.ts';
import { BACKEND_NAME_LIST as BACKEND_NAMES } from '../../runtime/backends/names.ts';

/** `--backend <name>` (default auto); `except` lists backends the command cannot use. */
export function backendOption(command: Command, except: readonly string[] = []): Command {
  const names = BACKEND_NAMES.filter((n) => !except.includes(n));
  return command.option('--backend <name>', `tfjs backend: ${names.join(', ')} (auto picks the fastest available)`, 'auto');
}

/** `--set <field=value>`, repeatable. */
export function setOption(command: Command, what = 'a model, train or router field'): Command {
  return command.option('--set <field=value>', `override ${what} (repeatable): width=128, router.experts=16`, (v: string, acc: string[]) => [...acc, v], [] as string[]);
}

/** `--train <name>`. */
export function trainOption(command: Command, purpose = 'the train block to use'): Command {
  return command.option('--train <name>', `${purpose} (default: the file's only one)`);
}

/** An integer flag ≥ min, or undefined when not given; a UserError naming the flag otherwise. */
export function parseIntFlag(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new UserError(`${flag} expects an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** A `text` / `json` output format flag. */
export function parseFormat(value: string): 'text' | 'json' {
  if (value === 'text' || value === 'json') return value;
  throw new UserError(`unknown format '${value}'`, 'use --format text or --format json');
}

/** `--threads <n>`: the wasm backend's threads (default MOEC_THREADS, else every core). */
export function threadsOption(command: Command): Command {
  return command.option('--threads <n>', THREADS_HELP);
}

export const THREADS_HELP = 'threads of the wasm backend (default: MOEC_THREADS, else every core; other backends ignore it)';

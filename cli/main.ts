// `moec`: parses the command line with commander and runs one command. Everything goes
// through a CliContext, so tests call main() in-process with captured output
// (tests/support/run-cli.ts). Exit codes: 0 ok, 1 user error (diagnostics, bad usage,
// missing file), 2 internal fault (a bug in moec).
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help } from 'commander';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { renderDiagnostics, renderDiagnosticsJson, renderFault } from '../diagnostics/render.ts';
import { limitDiagnostics } from '../diagnostics/limit.ts';
import { EXIT_ERROR, EXIT_INTERNAL, EXIT_OK, UserError, type CliContext, type CommandModule, type Output } from './context.ts';
import { commandsFor, listedTerm } from './commands/index.ts';

interface PackageInfo {
  version: string;
  bugs?: { url?: string } | string;
}

function packageInfo(): PackageInfo {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageInfo;
}

function reportPlace(pkg: PackageInfo): string {
  const url = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
  return url ? `at ${url}` : 'to the moec maintainers';
}

/** Where main() reads and writes; tests replace any of these. */
export interface MainIO {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The commands to register (default: the invoked one loaded, the others listed; tests may add one). */
  readonly commands?: readonly CommandModule[];
}

function processOutput(stream: NodeJS.WriteStream): Output {
  return {
    write: (text) => void stream.write(text),
    get isTTY() {
      return Boolean(stream.isTTY);
    },
    get columns() {
      return stream.columns;
    },
  };
}

function defaultIO(): MainIO {
  return {
    stdout: processOutput(process.stdout),
    stderr: processOutput(process.stderr),
    env: process.env,
    cwd: process.cwd(),
  };
}

export async function main(argv: string[], io: Partial<MainIO> = {}): Promise<number> {
  const { stdout, stderr, env, cwd, commands } = { ...defaultIO(), ...io };
  const pkg = packageInfo();
  const program = new Command('moec');
  let exitCode = EXIT_OK;
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };

  const flag = (name: 'verbose' | 'color', fallback: boolean): boolean => {
    const value = program.opts()[name] as boolean | undefined;
    return value ?? fallback;
  };

  const ctx: CliContext = {
    stdout,
    stderr,
    cwd,
    env,
    get verbose() {
      return flag('verbose', argv.includes('--verbose'));
    },
    get color() {
      // NO_COLOR (any non-empty value) wins; colours only on a terminal.
      const noColorEnv = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
      return flag('color', !argv.includes('--no-color')) && !noColorEnv && stderr.isTTY;
    },
    printDiagnostics(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>, format: 'text' | 'json') {
      // JSON is data for another program: stdout. Text is for people: stderr. Both bounded (diagnostics/limit.ts).
      const shown = limitDiagnostics(diagnostics);
      if (format === 'json') stdout.write(renderDiagnosticsJson(shown));
      else stderr.write(renderDiagnostics(shown, sources, { color: this.color, maxLineWidth: Math.max(40, (stderr.columns ?? 120) - 8) }));
    },
    printFault(fault) {
      stderr.write(renderFault(fault, { color: this.color }));
    },
  };

  program
    .name('moec')
    .description('Declare, check, compile and train Vision Transformers with Mixture-of-Experts layers (.moe files)')
    .version(pkg.version, '-V, --version', 'print the version of moec')
    .helpOption('-h, --help', 'show help')
    .option('--verbose', 'show stack traces for internal errors')
    .option('--no-color', 'never use colours (also: the NO_COLOR environment variable)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => stdout.write(s),
      writeErr: (s) => stderr.write(s),
      outputError: (s, write) => write(s.endsWith('\n') ? s : `${s}\n`),
    })
    .addHelpText('after', "\nRun 'moec COMMAND --help' for the options of a command.");

  // Only the invoked command's module is imported (start-up time: `moec check` never loads tfjs).
  const defaultHelp = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => listedTerm(cmd) ?? defaultHelp.subcommandTerm(cmd) });
  for (const command of commands ?? (await commandsFor(argv))) command.register(program, ctx, setExit);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed help, the version or the usage error.
      return err.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    if (err instanceof UserError) {
      ctx.printFault(err);
      return EXIT_ERROR;
    }
    const message = err instanceof Error ? err.message : String(err);
    stderr.write(`internal error: ${message}\n`);
    if (ctx.verbose && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
    stderr.write(`please report it ${reportPlace(pkg)}${ctx.verbose ? '' : ' (run with --verbose for the stack trace)'}\n`);
    return EXIT_INTERNAL;
  }
}

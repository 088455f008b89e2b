// What every command receives: where to write, whether to colour, and how to
// report. Commands return an exit code; they never call process.exit themselves.
import type { Command } from 'commander';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { UserError } from '../diagnostics/fault.ts';

export { UserError, RuntimeFault } from '../diagnostics/fault.ts';

export const EXIT_OK = 0;
/** The user's input has errors (diagnostics printed). */
export const EXIT_ERROR = 1;
/** An internal fault: a bug in moec. */
export const EXIT_INTERNAL = 2;

export interface Output {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number;
}

export interface CliContext {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Colours on: stderr/stdout is a TTY and NO_COLOR is not set (and no --no-color). */
  readonly color: boolean;
  readonly verbose: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Prints diagnostics to stderr in text (default) or JSON form. */
  printDiagnostics(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>, format: 'text' | 'json'): void;
  /** Prints a UserError / RuntimeFault to stderr (diagnostics/render.ts renderFault). */
  printFault(fault: UserError): void;
}


/** One command of `moec` (cli/commands/<name>.ts); listed in cli/commands/index.ts. */
export interface CommandModule {
  register(program: Command, ctx: CliContext, setExit: (code: number) => void): void;
}

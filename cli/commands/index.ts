// The commands of `moec`. To add one, write cli/commands/<name>.ts exporting an object that
// satisfies CommandModule and add it to `commands` below (one line).
//
//   export const myCommand: CommandModule = {
//     register(program, ctx, setExit) {
//       program.command('name <file...>').description('…').option('--flag', '…')
//         .action(async (files: string[], opts) => { …; setExit(EXIT_ERROR); });
//     },
//   };
//
// Rules: write only through ctx.stdout / ctx.stderr (never console or process.*), print
// diagnostics with ctx.printDiagnostics, report failures with setExit (the highest code
// set wins; 0 when never called), throw UserError for a user-facing failure that is not a
// diagnostic (it prints `error: …` and exits 1). Any other exception is an internal fault (exit 2).
import type { CommandModule } from '../context.ts';
import { checkCommand } from './check.ts';
import { fmtCommand } from './fmt.ts';
import { trainCommand } from './train.ts';
import { evalCommand } from './eval.ts';
import { predictCommand } from './predict.ts';
import { compileCommand } from './compile.ts';
import { benchCommand } from './bench.ts';
import { studyCommand } from './study.ts';
import { exportCommand } from './export.ts';
import { lspCommand } from './lsp.ts';
import { routesCommand } from './routes.ts';
import { reportCommand } from './report.ts';

export type { CommandModule } from '../context.ts';

export const commands: readonly CommandModule[] = [
  checkCommand,
  fmtCommand,
  compileCommand,
  trainCommand,
  evalCommand,
  predictCommand,
  benchCommand,
  studyCommand,
  exportCommand,
  lspCommand,
  routesCommand,
  reportCommand,
];

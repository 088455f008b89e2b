// `moec check FILE… [--format text|json]`: reports every diagnostic of each file.
// Exit 0 when there is no error (warnings allowed), 1 when there is one.
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { hasErrors } from '../../diagnostics/diagnostic.ts';
import { summarize } from '../../diagnostics/render.ts';
import { compile } from '../../compiler/compile.ts';
import { EXIT_ERROR, UserError, type CliContext } from '../context.ts';
import { readSourceFile, reportUserError } from '../files.ts';
import { parseFormat } from '../shared/flags.ts';
import type { CommandModule } from '../context.ts';

export interface CollectedDiagnostics {
  readonly diagnostics: readonly Diagnostic[];
  /** Every source text the diagnostics point into, by the path used in their spans. */
  readonly sources: ReadonlyMap<string, string>;
}

export interface CollectOptions {
  /** Directory that relative paths are read from (default: the process's). */
  readonly cwd?: string;
}

/** All diagnostics of one file and what it imports: syntax, names, types and model rules. */
export function collectDiagnostics(path: string, options: CollectOptions = {}): CollectedDiagnostics {
  const cwd = options.cwd ?? process.cwd();
  readSourceFile(path, cwd); // a missing or unreadable file is a UserError naming it
  const compilation = compile(path, { cwd, select: false });
  return { diagnostics: compilation.diagnostics, sources: compilation.sources };
}

export const checkCommand: CommandModule = {
  register(program, ctx: CliContext, setExit) {
    program
      .command('check')
      .description('check .moe files and report every error and warning')
      .argument('<files...>', '.moe files to check')
      .option('--format <format>', 'output format: text or json', 'text')
      .action((files: string[], opts: { format: string }) => {
        const format = parseFormat(opts.format);
        const diagnostics: Diagnostic[] = [];
        const sources = new Map<string, string>();
        let unreadable = 0;
        for (const file of files) {
          try {
            const result = collectDiagnostics(file, { cwd: ctx.cwd });
            for (const d of result.diagnostics) diagnostics.push(d);
            for (const [path, text] of result.sources) sources.set(path, text);
          } catch (err) {
            if (!(err instanceof UserError)) throw err;
            unreadable++;
            reportUserError(ctx, err);
          }
        }
        ctx.printDiagnostics(diagnostics, sources, format);
        if (format === 'text' && unreadable < files.length) {
          const checked = files.length - unreadable;
          ctx.stderr.write(`${checked} file${checked === 1 ? '' : 's'} checked: ${summarize(diagnostics)}\n`);
        }
        if (unreadable > 0 || hasErrors(diagnostics)) setExit(EXIT_ERROR);
      });
  },
};

// `moec fmt FILE… [--write | --check]`: prints, rewrites or checks the canonical layout.
// A file with syntax errors is never formatted (its diagnostics are printed, exit 1).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hasErrors } from '../../diagnostics/diagnostic.ts';
import { format } from '../../grammar/index.ts';
import { EXIT_ERROR, UserError, type CliContext } from '../context.ts';
import { readSourceFile, reportUserError } from '../files.ts';
import type { CommandModule } from '../context.ts';

export const fmtCommand: CommandModule = {
  register(program, ctx: CliContext, setExit) {
    program
      .command('fmt')
      .description('format .moe files in the canonical layout (prints to stdout by default)')
      .argument('<files...>', '.moe files to format')
      .option('--write', 'rewrite the files in place (only those that change)')
      .option('--check', 'change nothing; exit 1 and name the files that are not formatted')
      .action((files: string[], opts: { write?: boolean; check?: boolean }) => {
        if (opts.write && opts.check) throw new UserError('--write and --check cannot be used together');
        const unformatted: string[] = [];
        for (const file of files) {
          let text: string;
          try {
            text = readSourceFile(file, ctx.cwd);
          } catch (err) {
            if (!(err instanceof UserError)) throw err;
            reportUserError(ctx, err);
            setExit(EXIT_ERROR);
            continue;
          }
          const result = format(text, file);
          if (hasErrors(result.diagnostics)) {
            ctx.printDiagnostics(result.diagnostics, new Map([[file, text]]), 'text');
            ctx.stderr.write(`error: '${file}' was not formatted because it has syntax errors\n`);
            setExit(EXIT_ERROR);
            continue;
          }
          const changed = result.text !== text;
          if (opts.check) {
            if (changed) unformatted.push(file);
          } else if (opts.write) {
            if (changed) {
              writeFileSync(resolve(ctx.cwd, file), result.text);
              ctx.stderr.write(`formatted ${file}\n`);
            }
          } else {
            ctx.stdout.write(result.text);
          }
        }
        if (opts.check && unformatted.length > 0) {
          for (const file of unformatted) ctx.stdout.write(`${file}\n`);
          ctx.stderr.write(
            `${unformatted.length} file${unformatted.length === 1 ? '' : 's'} would be reformatted (run 'moec fmt --write' to fix)\n`,
          );
          setExit(EXIT_ERROR);
        }
      });
  },
};

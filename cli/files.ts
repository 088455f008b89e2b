// Reading source files named on the command line, with errors a user can act on.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError, type CliContext } from './context.ts';

/** Reads `path` (relative to `cwd`); throws UserError naming the file when it cannot. */
export function readSourceFile(path: string, cwd: string): string {
  try {
    return readFileSync(resolve(cwd, path), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UserError(`cannot read '${path}': ${why}`, code === 'ENOENT' ? 'check the path; it is relative to the current directory' : undefined);
  }
}

/** Prints a UserError the way main() does (diagnostics/render.ts renderFault). */
export function reportUserError(ctx: CliContext, err: UserError): void {
  ctx.printFault(err);
}

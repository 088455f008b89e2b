// `moec lsp --stdio`: the language server for editors (cli/lsp/), speaking LSP over
// stdin/stdout. The session ends when the editor sends `exit` or closes stdin; the
// protocol library then exits the process (0 after `shutdown`, else 1).
import { UserError, type CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';

export const lspCommand: CommandModule = {
  register(program, _ctx: CliContext) {
    program
      .command('lsp')
      .description('run the language server for editors (diagnostics, hover, completion, formatting …) over stdio')
      .option('--stdio', 'speak the Language Server Protocol on stdin and stdout (the transport editors use)')
      // Editors may add their own flags (e.g. --clientProcessId=PID, read by the protocol library).
      .allowUnknownOption(true)
      .action(async (opts: { stdio?: boolean }) => {
        if (!opts.stdio) throw new UserError('moec lsp needs a transport', 'run `moec lsp --stdio` (editors start it this way; see docs/editors.md)');
        // Loaded only here, so other commands never pay for the protocol library.
        const { startStdioServer } = await import('../lsp/stdio.ts');
        startStdioServer();
        // Never resolves: the connection owns the process from here and exits it.
        await new Promise<never>(() => {});
      });
  },
};

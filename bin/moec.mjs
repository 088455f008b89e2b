#!/usr/bin/env node
// Entry point of the `moec` command: loads the TypeScript sources through tsx,
// so the package works straight after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const argv = process.argv.slice(2);
if (argv[0] === 'lsp' && argv.includes('--stdio')) {
  // Editors start `moec lsp --stdio` and wait for it: load only the server, not every
  // command (the same entry `moec lsp --stdio` reaches through cli/commands/lsp.ts).
  const { startStdioServer } = await import('../cli/lsp/stdio.ts');
  startStdioServer();
} else {
  const { main } = await import('../cli/main.ts');
  const code = await main(argv);
  process.exit(code);
}

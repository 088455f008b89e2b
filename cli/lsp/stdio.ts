// Starts the language server on this process's stdin and stdout (`moec lsp --stdio`).
// stdout belongs to the protocol from here on: nothing else may write to it.
import { createConnection } from 'vscode-languageserver/node';
import { startServer } from './server.ts';

export function startStdioServer(): void {
  const connection = createConnection(process.stdin, process.stdout);
  // Last line of defence: an error outside a request is logged, and the session goes on.
  process.on('uncaughtException', (err) => connection.console.error(`moec lsp: ${err.stack ?? err.message}`));
  startServer(connection);
}


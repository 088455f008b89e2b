// The moec extension: registers the `moe` language (grammar and configuration in
// package.json) and starts `moec lsp --stdio` as its language server.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration('moe');
  const command = config.get('server.path') || 'moec';
  const args = [...(config.get('server.args') || []), 'lsp'];
  // `moec` is a Node script: on Windows it is started through its .cmd shim by the shell.
  const run = { command, args, transport: TransportKind.stdio, options: { shell: process.platform === 'win32' } };
  return { run, debug: run };
}

function clientSettings() {
  const config = vscode.workspace.getConfiguration('moe');
  return { diagnostics: { debounceMs: config.get('diagnostics.debounceMs') }, inlayHints: { blockCost: config.get('inlayHints.blockCost') } };
}

async function activate(context) {
  client = new LanguageClient('moec', 'moec language server', serverOptions(), {
    documentSelector: [{ language: 'moe' }],
    initializationOptions: clientSettings(),
    synchronize: { configurationSection: 'moe' },
  });
  context.subscriptions.push(
    vscode.commands.registerCommand('moe.restartServer', async () => {
      if (client) await client.restart();
    }),
  );
  await client.start();
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };

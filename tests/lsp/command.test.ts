// `moec lsp --stdio` is the command editors start: the real bin/moec.mjs serves a
// session and exits 0 after shutdown/exit; without --stdio it explains itself.
import { describe, expect, it } from 'vitest';
import { DidOpenTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { runCli } from '../support/run-cli.ts';
import { startSession } from './client.ts';

describe('moec lsp', () => {
  it('serves LSP on stdio through bin/moec.mjs', async () => {
    const session = await startSession(['node', 'bin/moec.mjs', 'lsp', '--stdio']);
    expect(session.initialize.serverInfo?.name).toBe('moec');
    const uri = 'untitled:broken.moe';
    await session.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'moe', version: 1, text: 'model m {\n  width: 64\n' } });
    const diags = await session.waitForDiagnostics(uri, (d) => d.length > 0, 30_000);
    expect(diags.map((d) => d.code)).toContain('MOE0106');
    expect(await session.close()).toBe(0);
    expect(session.stderr()).toBe('');
  });

  it('asks for --stdio when started without a transport', async () => {
    const r = await runCli(['lsp']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('moec lsp --stdio');
  });
});

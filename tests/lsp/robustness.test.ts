// No document text ends the server: seeded mutations of valid specs (the parser's
// robustness mutators) sent as didChange, each followed by hover, completion,
// symbols, formatting and inlay hints at random places, then a valid text checks clean.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompletionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  HoverRequest,
  InlayHintRequest,
  DefinitionRequest,
  CodeActionRequest,
} from 'vscode-languageserver-protocol/node';
import { uniformGenerator } from '../../runtime/executor/random.ts';
import { mutate, mutationSeeds } from '../grammar/mutators.ts';
import { bundleServer, removeBundle, startSession, type Session } from './client.ts';

const URI = 'untitled:fuzz.moe';
const MUTATIONS = 150;
let session: Session;
let server: string;

beforeAll(async () => {
  server = await bundleServer();
  session = await startSession(['node', server], { diagnostics: { debounceMs: 0 }, inlayHints: { blockCost: true } });
});

afterAll(async () => {
  expect(await session.close()).toBe(0);
  removeBundle(server);
});

function position(text: string, rand: () => number) {
  const lines = text.split(/\r\n|\r|\n/);
  const line = Math.floor(rand() * lines.length);
  return { line, character: Math.floor(rand() * (lines[line].length + 1)) };
}

describe('moec lsp on broken input', () => {
  it(`survives ${MUTATIONS} seeded mutations sent as edits, answering every request`, async () => {
    const seeds = mutationSeeds();
    const rand = uniformGenerator(20261203);
    const c = session.connection;
    await c.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'moe', version: 1, text: seeds[0] } });
    const failures: string[] = [];
    for (let n = 0; n < MUTATIONS; n++) {
      const text = mutate(seeds[n % seeds.length], rand);
      await c.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: URI, version: n + 2 }, contentChanges: [{ text }] });
      const doc = { textDocument: { uri: URI } };
      const pos = position(text, rand);
      const all = { start: { line: 0, character: 0 }, end: { line: 1_000_000, character: 0 } };
      const requests: Array<[string, Promise<unknown>]> = [
        ['hover', c.sendRequest(HoverRequest.type, { ...doc, position: pos })],
        ['completion', c.sendRequest(CompletionRequest.type, { ...doc, position: pos })],
        ['definition', c.sendRequest(DefinitionRequest.type, { ...doc, position: pos })],
        ['symbols', c.sendRequest(DocumentSymbolRequest.type, doc)],
        ['formatting', c.sendRequest(DocumentFormattingRequest.type, { ...doc, options: { tabSize: 2, insertSpaces: true } })],
        ['inlay hints', c.sendRequest(InlayHintRequest.type, { ...doc, range: all })],
        ['code actions', c.sendRequest(CodeActionRequest.type, { ...doc, range: all, context: { diagnostics: [] } })],
      ];
      for (const [name, p] of requests) {
        try {
          await p;
        } catch (err) {
          failures.push(`mutation #${n} ${name}: ${(err as Error).message}\n--- input ---\n${text.slice(0, 300)}`);
        }
      }
      if (failures.length >= 3) break;
    }
    expect(failures).toEqual([]);
    expect(session.child.exitCode).toBeNull();
    // Still analysing: a valid text checks clean.
    await c.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: MUTATIONS + 10 },
      contentChanges: [{ text: 'model m extends vit_ti16 { depth: 2 }\n' }],
    });
    await session.waitForDiagnostics(URI, (d) => d.length === 0);
    expect(session.logs.filter((l) => l.includes('could not analyse'))).toEqual([]);
  });
});

// The language server as an editor sees it: a child process spoken to over stdio.
// Diagnostics appear and clear, hover reports the compiler's numbers, completion,
// definition, symbols, formatting and quick fixes work on real files.
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, Hover, Location, TextEdit, DocumentSymbol, CodeAction, InlayHint } from 'vscode-languageserver-protocol/node';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  HoverRequest,
  InlayHintRequest,
  DidChangeConfigurationNotification,
} from 'vscode-languageserver-protocol/node';
import { bundleServer, removeBundle, startSession, type Session } from './client.ts';
import { compile, PRESETS_PATH } from '../../compiler/index.ts';
import { runCli } from '../support/run-cli.ts';

const BASE = `model base extends vit_ti16 {
  image:   32x32x3
  patch:   4
  classes: 10
  depth:   6
}
`;

const MAIN = `import "base.moe"

router tc = token_choice(experts: 8, k: 2)

model child extends base {
  width: 96
  mlp:   4 * width

  blocks every 2: moe(soft(experts: 16, slots: 2))
  blocks last 1:  moe(tc)
}

train quick {
  model: child
  steps: 10
}
`;

let dir: string;
let session: Session;
let mainUri: string;
let baseUri: string;
let version = 1;
let server: string;

function open(uri: string, text: string): Promise<void> {
  return session.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'moe', version: 1, text } });
}

function change(uri: string, text: string): Promise<void> {
  return session.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
}

/** The LSP position of the `n`-th occurrence of `needle` in `text` (plus `shift` characters). */
function at(text: string, needle: string, shift = 0, n = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= n; k++) i = text.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`'${needle}' not in text`);
  const before = text.slice(0, i + shift).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

async function hover(uri: string, text: string, needle: string, shift = 0): Promise<string> {
  const h = (await session.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(text, needle, shift) })) as Hover | null;
  return h ? (h.contents as { value: string }).value : '';
}

async function complete(uri: string, text: string, offset: number): Promise<string[]> {
  const lines = text.slice(0, offset).split('\n');
  const r = (await session.connection.sendRequest(CompletionRequest.type, {
    textDocument: { uri },
    position: { line: lines.length - 1, character: lines[lines.length - 1].length },
  })) as CompletionItem[] | null;
  return (r ?? []).map((c) => c.label);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moec-lsp-'));
  writeFileSync(join(dir, 'base.moe'), BASE);
  writeFileSync(join(dir, 'main.moe'), MAIN);
  mainUri = pathToFileURL(join(dir, 'main.moe')).href;
  baseUri = pathToFileURL(join(dir, 'base.moe')).href;
  server = await bundleServer();
  session = await startSession(['node', server]);
  await open(mainUri, MAIN);
  await session.waitForDiagnostics(mainUri, () => true);
});

afterAll(async () => {
  const code = await session?.close();
  expect(code).toBe(0);
  rmSync(dir, { recursive: true, force: true });
  removeBundle(server);
});

describe('moec lsp', () => {
  it('announces its features', () => {
    const c = session.initialize.capabilities;
    expect(c.hoverProvider).toBe(true);
    expect(c.definitionProvider).toBe(true);
    expect(c.documentFormattingProvider).toBe(true);
    expect(c.completionProvider?.triggerCharacters).toContain('(');
  });

  it('publishes the same diagnostics as moec check, and clears them when fixed', async () => {
    expect(session.diagnostics(mainUri)).toEqual([]);
    const broken = MAIN.replace('experts: 16', 'expers: 16');
    await change(mainUri, broken);
    const diags = await session.waitForDiagnostics(mainUri, (d) => d.length > 0);
    // What `moec check` computes for the same texts (compile with select: false).
    const cli = compile(join(dir, 'main.moe'), { select: false, readFile: (p) => (p === join(dir, 'main.moe') ? broken : readFileSync(p, 'utf8')) }).diagnostics;
    expect(diags.map((d) => d.code)).toEqual(cli.map((d) => d.code));
    expect(diags.map((d) => (d.message as string).split('\n')[0])).toEqual(cli.map((d) => d.message));
    const typo = diags.find((d) => (d.message as string).includes('expers'))!;
    expect(typo.range.start).toEqual(at(broken, 'expers'));
    expect(typo.message).toContain("did you mean 'experts'");

    // The did-you-mean fix is offered as a quick fix.
    const actions = (await session.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: mainUri },
      range: typo.range,
      context: { diagnostics: [typo] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.title.includes("'experts'"))!;
    expect(fix.edit?.changes?.[mainUri]).toEqual([{ range: typo.range, newText: 'experts' }]);

    await change(mainUri, MAIN);
    expect(await session.waitForDiagnostics(mainUri, (d) => d.length === 0)).toEqual([]);

    // An incremental edit (a range replaced) is applied to the server's copy of the text.
    const start = at(MAIN, 'experts: 16');
    const edit = { range: { start, end: { line: start.line, character: start.character + 7 } }, text: 'expert' };
    await session.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: mainUri, version: ++version }, contentChanges: [edit] });
    const again = await session.waitForDiagnostics(mainUri, (d) => d.length > 0);
    expect(again.some((d) => (d.message as string).includes("'expert'"))).toBe(true);
    await change(mainUri, MAIN);
    await session.waitForDiagnostics(mainUri, (d) => d.length === 0);
  });

  it('offers the did-you-mean fix of an unknown base model and router', async () => {
    const whole = { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } };
    for (const [from, to, fix] of [['extends base', 'extends bas', 'base'], ['moe(tc)', 'moe(tcc)', 'tc']]) {
      const broken = MAIN.replace(from, to);
      await change(mainUri, broken);
      const diags = await session.waitForDiagnostics(mainUri, (d) => d.length > 0);
      const actions = (await session.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: mainUri }, range: whole, context: { diagnostics: diags } })) as CodeAction[];
      expect(actions.map((a) => a.title)).toEqual([`Replace with '${fix}'`]);
      expect(actions[0].edit?.changes?.[mainUri]?.[0].range.start).toEqual(at(broken, to, to.search(/ |\(/) + 1));
    }
    await change(mainUri, MAIN);
    await session.waitForDiagnostics(mainUri, (d) => d.length === 0);
  });

  it('reports problems of an imported file in that file, with the unsaved text of the open one', async () => {
    const brokenBase = BASE.replace('depth:   6', 'depth:   0');
    await open(baseUri, brokenBase);
    const own = await session.waitForDiagnostics(baseUri, (d) => d.some((x) => x.code === 'MOE0302'));
    expect(own[0].range.start.line).toBe(4);
    // main.moe reads the open (broken) base.moe: it is analysed again.
    await change(baseUri, BASE);
    await session.waitForDiagnostics(baseUri, (d) => d.length === 0);
    await session.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: baseUri } });
  });

  it('hover on an MoE block shows the parameter count of moec compile --json', async () => {
    const cli = await runCli(['compile', 'main.moe', '--model', 'child', '--json'], { cwd: dir });
    expect(cli.code).toBe(0);
    const cost = JSON.parse(cli.stdout) as { blocks: { params: number }[] };
    const md = await hover(mainUri, MAIN, 'blocks every 2', 2);
    expect(md).toContain('blocks every 2');
    expect(md).toContain('3 of 6 blocks (1, 3, 5)');
    for (const b of [1, 3]) expect(md).toContain(`| ${b} | MoE soft_moe, 16 experts × 2 slots | ${cost.blocks[b].params.toLocaleString('en-US')} |`);
    // Block 5 belongs to the later rule.
    expect(md).toContain('block 5 is set by the later rule `blocks last 1`');
    const last = await hover(mainUri, MAIN, 'moe(tc)', 1);
    expect(last).toContain(`| 5 | MoE softmax_token_choice (tc), 8 experts`);
    expect(last).toContain(cost.blocks[5].params.toLocaleString('en-US'));
  });

  it('hover on a field gives its resolved value, where it came from and its meaning', async () => {
    const mlp = await hover(mainUri, MAIN, 'mlp:', 1);
    expect(mlp).toContain('**mlp** = `384` in `child`');
    expect(mlp).toContain('set in `child`');
    expect(mlp).toContain('replaces `768`, from the standard preset `vit_ti16`');
    expect(mlp).toContain('MLP hidden size');
    const width = await hover(mainUri, MAIN, '* width', 3);
    expect(width).toContain('**width** = `96`');
    const model = await hover(mainUri, MAIN, 'child extends', 1);
    expect(model).toMatch(/\| depth \| `6` \| inherited from `base` through `extends`/);
    expect(model).toMatch(/\| heads \| `3` \| from the standard preset `vit_ti16`/);
    expect(model).toMatch(/\| dropout \| `0\.0` \| default value/);
  });

  it('completes router parameters inside soft(…), fields, selectors, routers and enum values', async () => {
    const inSoft = MAIN.indexOf('experts: 16') ;
    const soft = await complete(mainUri, MAIN, inSoft);
    expect(soft).toEqual(expect.arrayContaining(['experts', 'slots', 'capacity', 'group', 'noise', 'rounding']));
    expect(soft).not.toContain('k');
    const afterSlots = await complete(mainUri, MAIN, MAIN.indexOf('slots: 2') + 'slots: 2, '.length - 2);
    expect(afterSlots).not.toContain('slots');
    const tc = await complete(mainUri, MAIN, MAIN.indexOf('k: 2'));
    expect(tc).toEqual(expect.arrayContaining(['k', 'normalize', 'bpr']));
    const moeArg = await complete(mainUri, MAIN, MAIN.indexOf('moe(tc)') + 4);
    expect(moeArg).toEqual(expect.arrayContaining(['soft', 'token_choice', 'expert_choice', 'tc']));
    const fields = await complete(mainUri, MAIN, MAIN.indexOf('\n\n  blocks every') + 1);
    expect(fields).toEqual(expect.arrayContaining(['heads', 'depth', 'pool', 'blocks']));
    expect(fields).not.toContain('width');
    const selector = await complete(mainUri, MAIN, MAIN.indexOf('every 2:'));
    expect(selector).toEqual(expect.arrayContaining(['all', 'last N', 'every N', 'A..B']));
    const ext = await complete(mainUri, MAIN, MAIN.indexOf('base {'));
    expect(ext).toEqual(expect.arrayContaining(['base', 'vit_b16', 'child']));
    const trainBody = await complete(mainUri, MAIN, MAIN.indexOf('  steps: 10'));
    expect(trainBody).toEqual(expect.arrayContaining(['data', 'optimizer', 'batch']));
    expect(trainBody).not.toContain('model');
    const withOptimizer = MAIN.replace('  steps: 10', '  steps: 10\n  optimizer: ');
    await change(mainUri, withOptimizer);
    expect(await complete(mainUri, withOptimizer, withOptimizer.indexOf('optimizer: ') + 11)).toEqual(['adamw', 'sgd']);
    const withPool = MAIN.replace('  width: 96', '  pool: \n  width: 96');
    await change(mainUri, withPool);
    expect(await complete(mainUri, withPool, withPool.indexOf('pool: ') + 6)).toEqual(['gap', 'cls']);
    await change(mainUri, MAIN);
  });

  it('goes to the extended model, the named router, the trained model and the imported file', async () => {
    const def = async (needle: string, shift = 0) =>
      (await session.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: mainUri }, position: at(MAIN, needle, shift) })) as Location | null;
    expect(await def('base {', 1)).toEqual({ uri: baseUri, range: { start: { line: 0, character: 6 }, end: { line: 0, character: 10 } } });
    expect((await def('moe(tc)', 5))?.range.start).toEqual({ line: 2, character: 7 });
    expect((await def('model: child', 8))?.range.start).toEqual({ line: 4, character: 6 });
    expect((await def('"base.moe"', 2))?.uri).toBe(baseUri);
    const preset = (await session.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: baseUri }, position: at(BASE, 'vit_ti16', 2) })) as Location | null;
    expect(preset).toBeNull(); // base.moe is not open
  });

  it('goes to a standard preset', async () => {
    await open(baseUri, BASE);
    const preset = (await session.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: baseUri }, position: at(BASE, 'vit_ti16', 2) })) as Location;
    expect(preset.uri).toBe(pathToFileURL(PRESETS_PATH).href);
    expect(readFileSync(PRESETS_PATH, 'utf8').split('\n')[preset.range.start.line]).toContain('model vit_ti16');
    await session.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: baseUri } });
  });

  it('lists document symbols and formats in the moec fmt layout', async () => {
    const symbols = (await session.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: mainUri } })) as DocumentSymbol[];
    expect(symbols.map((s) => s.name)).toEqual(['import "base.moe"', 'tc', 'child', 'quick']);
    expect(symbols[2].children?.map((c) => c.name)).toEqual(['width', 'mlp', 'blocks every 2', 'blocks last 1']);
    const messy = MAIN.replace('  width: 96', 'width:96').replace('  mlp:   4 * width', '  mlp: 4*width');
    await change(mainUri, messy);
    const edits = (await session.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: mainUri }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
    expect(edits).toHaveLength(1);
    expect(edits[0].newText).toBe(MAIN);
    await change(mainUri, MAIN);
  });

  it('shows per-block cost as inlay hints only when turned on', async () => {
    const range = { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } };
    const off = (await session.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri: mainUri }, range })) as InlayHint[];
    expect(off).toEqual([]);
    await session.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { moe: { inlayHints: { blockCost: true } } } });
    const on = (await session.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri: mainUri }, range })) as InlayHint[];
    expect(on.map((h) => h.position.line)).toEqual([8, 9]);
    expect(String(on[0].label)).toMatch(/2 blocks: .* params \(.* active\), .* GFLOPs/);
  });

  it('answers a malformed request with an error and keeps the session', async () => {
    // A position that is not a position makes the handler throw: the client gets an error response.
    await expect(session.connection.sendRequest(HoverRequest.type, { textDocument: { uri: mainUri }, position: null } as never)).rejects.toThrow(/could not answer textDocument\/hover/);
    expect(session.logs.join('\n')).toContain('textDocument/hover failed');
    expect(await hover(mainUri, MAIN, 'mlp:', 1)).toContain('**mlp**');
  });
});

// The moec language server: keeps the open documents, analyses each one through
// the compiler (analysis.ts) — at once on open and save, debounced while typing,
// again when a file it imports changes — publishes diagnostics for it and the
// files it reads, and answers hover, completion, definition, symbols, formatting,
// quick fixes and inlay hints from the latest analysis.
//
// No request can end the session: every handler is guarded, a failing analysis
// becomes one MOE0721 diagnostic, and the previous results stay in place.
import type { Connection, Diagnostic as LspDiagnostic, InitializeResult } from 'vscode-languageserver/node';
import { CodeActionKind, ErrorCodes, ResponseError, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { defaultReadFile } from '../../compiler/index.ts';
import { diagnostic } from '../../diagnostics/catalogue.ts';
import type { Analysis } from './analysis.ts';
import { analyze } from './analysis.ts';
import { toLspDiagnostic, toRange } from './convert.ts';
import { pathToUri, uriToPath } from './paths.ts';
import { hoverAt } from './hover.ts';
import { completionsAt } from './completion.ts';
import { definitionAt } from './definition.ts';
import { documentSymbols } from './symbols.ts';
import { formatDocument } from './formatting.ts';
import { quickFixes } from './code-actions.ts';
import { blockCostHints } from './inlay-hints.ts';

export interface ServerSettings {
  /** Milliseconds of quiet typing before a changed document is analysed again. */
  debounceMs: number;
  /** Show the per-block cost at the end of `blocks` lines. */
  blockCostHints: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = { debounceMs: 150, blockCostHints: false };

/** Reads `{ diagnostics: { debounceMs }, inlayHints: { blockCost } }` (initializationOptions, or the
 * `moe` section of the client's configuration); anything missing or malformed keeps `base`. */
function readSettings(raw: unknown, base: ServerSettings): ServerSettings {
  const object = (v: unknown) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
  const o = object(raw);
  const debounce = object(o.diagnostics).debounceMs;
  const hints = object(o.inlayHints).blockCost;
  return {
    debounceMs: typeof debounce === 'number' && debounce >= 0 ? debounce : base.debounceMs,
    blockCostHints: typeof hints === 'boolean' ? hints : base.blockCostHints,
  };
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let settings = DEFAULT_SETTINGS;
  const analyses = new Map<string, Analysis>();
  const failures = new Map<string, { version: number; diagnostic: LspDiagnostic }>();
  const timers = new Map<string, NodeJS.Timeout>();
  /** What was last published per URI (JSON), so unchanged lists are not sent again. */
  const published = new Map<string, string>();
  /** Per URI, the paths its last analysis read: their diagnostics are this document's to publish. */
  const readPaths = new Map<string, readonly string[]>();

  const log = (message: string, err?: unknown) => connection.console.error(`${message}${err instanceof Error ? `: ${err.stack ?? err.message}` : err ? `: ${String(err)}` : ''}`);

  /** Open texts by path: the compiler reads these instead of the disk. */
  const readFile = (path: string): string | undefined => {
    for (const doc of documents.all()) if (uriToPath(doc.uri) === path) return doc.getText();
    return defaultReadFile(path);
  };

  /** The analysis of the document's current text (analysed now when out of date). */
  const current = (uri: string): Analysis | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const existing = analyses.get(uri);
    if (existing && existing.version === doc.version) return existing;
    const failed = failures.get(uri);
    if (failed && failed.version === doc.version) return existing;
    try {
      const a = analyze(uriToPath(uri), doc.version, readFile);
      analyses.set(uri, a);
      failures.delete(uri);
      return a;
    } catch (err) {
      log(`moec could not analyse ${uri}`, err);
      const d = diagnostic('MOE0721', `moec could not analyse this file: ${err instanceof Error ? err.message : String(err)}`, undefined, {
        help: 'this is a bug in moec; please report it with the file. Hover, completion and formatting keep working',
      });
      failures.set(uri, { version: doc.version, diagnostic: toLspDiagnostic(d) });
      return existing;
    }
  };

  /** Diagnostics of every file the open documents read: a document's own analysis speaks for it. */
  const publish = (): void => {
    const byUri = new Map<string, Map<string, LspDiagnostic>>();
    const add = (uri: string, d: LspDiagnostic) => {
      let m = byUri.get(uri);
      if (!m) byUri.set(uri, (m = new Map()));
      m.set(JSON.stringify([d.code, d.range, d.message]), d);
    };
    const open = new Set(documents.all().map((d) => d.uri));
    for (const doc of documents.all()) {
      const a = analyses.get(doc.uri);
      const failed = failures.get(doc.uri);
      byUri.set(doc.uri, byUri.get(doc.uri) ?? new Map());
      if (failed) add(doc.uri, failed.diagnostic);
      if (!a) continue;
      readPaths.set(doc.uri, a.paths);
      for (const p of a.paths) {
        const uri = pathToUri(p);
        if (!byUri.has(uri)) byUri.set(uri, new Map());
      }
      for (const d of a.compilation.diagnostics) {
        const uri = d.span ? pathToUri(d.span.file) : doc.uri;
        // Another open document's diagnostics come from its own analysis.
        if (uri !== doc.uri && open.has(uri)) continue;
        add(uri, toLspDiagnostic(d));
      }
    }
    for (const uri of published.keys()) if (!byUri.has(uri)) byUri.set(uri, new Map());
    for (const [uri, map] of byUri) {
      const list = [...map.values()];
      const json = JSON.stringify(list);
      if (published.get(uri) === json) continue;
      if (list.length === 0 && !published.has(uri) && !open.has(uri)) continue;
      published.set(uri, json);
      void connection.sendDiagnostics({ uri, diagnostics: list });
    }
  };

  const refresh = (uri: string): void => {
    timers.delete(uri);
    try {
      current(uri);
      // Open documents that read this one are out of date too.
      const path = uriToPath(uri);
      for (const doc of documents.all()) {
        if (doc.uri === uri) continue;
        if ((readPaths.get(doc.uri) ?? []).includes(path)) {
          analyses.delete(doc.uri);
          current(doc.uri);
        }
      }
      publish();
    } catch (err) {
      log(`moec lsp: refreshing ${uri} failed`, err);
    }
  };

  const schedule = (uri: string, delay: number): void => {
    const t = timers.get(uri);
    if (t) clearTimeout(t);
    timers.set(uri, setTimeout(() => refresh(uri), delay));
  };

  /** Runs a request handler; a failure is logged and answered as an error, never thrown out of the session. */
  function guard<P, R>(name: string, handler: (params: P) => R): (params: P) => R | ResponseError<void> {
    return (params: P) => {
      try {
        return handler(params);
      } catch (err) {
        log(`moec lsp: ${name} failed`, err);
        return new ResponseError(ErrorCodes.InternalError, `moec could not answer ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
  }

  const offsetOf = (uri: string, position: { line: number; character: number }): number => documents.get(uri)!.offsetAt(position);

  let canRefreshHints = false;
  connection.onInitialize((params): InitializeResult => {
    settings = readSettings(params.initializationOptions, DEFAULT_SETTINGS);
    canRefreshHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['(', ',', ':', ' '] },
        definitionProvider: true,
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: true,
      },
      serverInfo: { name: 'moec', version: '0.1.0' },
    };
  });

  connection.onDidChangeConfiguration((params) => {
    const raw = (params.settings as Record<string, unknown> | undefined)?.moe;
    const before = settings.blockCostHints;
    settings = readSettings(raw, settings);
    // Hints shown (or hidden) at once, not at the next edit.
    if (settings.blockCostHints !== before && canRefreshHints) connection.languages.inlayHint.refresh().catch((err: unknown) => log('moec lsp: inlay hint refresh failed', err));
  });

  documents.onDidChangeContent((e) => {
    // The first version (just opened) is analysed at once; edits wait for a pause in typing.
    schedule(e.document.uri, analyses.has(e.document.uri) ? settings.debounceMs : 0);
  });
  documents.onDidSave((e) => schedule(e.document.uri, 0));
  documents.onDidClose((e) => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    analyses.delete(e.document.uri);
    failures.delete(e.document.uri);
    readPaths.delete(e.document.uri);
    try {
      publish();
    } catch (err) {
      log('moec lsp: publishing diagnostics failed', err);
    }
  });

  connection.onHover(
    guard('textDocument/hover', (params) => {
      const a = current(params.textDocument.uri);
      if (!a) return null;
      const h = hoverAt(a, offsetOf(params.textDocument.uri, params.position));
      return h ? { contents: { kind: 'markdown', value: h.markdown }, range: toRange(h.span) } : null;
    }),
  );

  connection.onCompletion(
    guard('textDocument/completion', (params) => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return [];
      return completionsAt(current(doc.uri), doc.getText(), doc.offsetAt(params.position));
    }),
  );

  connection.onDefinition(
    guard('textDocument/definition', (params) => {
      const a = current(params.textDocument.uri);
      if (!a) return null;
      const target = definitionAt(a, offsetOf(params.textDocument.uri, params.position));
      if (!target) return null;
      const range = target.span ? toRange(target.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      return { uri: pathToUri(target.file), range };
    }),
  );

  connection.onDocumentSymbol(
    guard('textDocument/documentSymbol', (params) => {
      const a = current(params.textDocument.uri);
      return a ? documentSymbols(a.file, a.program.sources.get(a.path) ?? '') : [];
    }),
  );

  connection.onDocumentFormatting(
    guard('textDocument/formatting', (params) => {
      const doc = documents.get(params.textDocument.uri);
      return doc ? formatDocument(doc.getText(), uriToPath(doc.uri)) : [];
    }),
  );

  connection.onCodeAction(
    guard('textDocument/codeAction', (params) => {
      const a = current(params.textDocument.uri);
      if (!a) return [];
      const own = a.compilation.diagnostics.filter((d) => d.span && pathToUri(d.span.file) === params.textDocument.uri).map(toLspDiagnostic);
      return quickFixes(params.textDocument.uri, params.range, own);
    }),
  );

  connection.languages.inlayHint.on(
    guard('textDocument/inlayHint', (params) => {
      if (!settings.blockCostHints) return [];
      const a = current(params.textDocument.uri);
      return a ? blockCostHints(a, params.range) : [];
    }),
  );

  documents.listen(connection);
  connection.listen();
}

// Test client for the language server: bundles cli/lsp with esbuild once per test
// file (compiled code starts in a fraction of tsx's time), runs it as a child process
// and speaks LSP to it over stdio with vscode-languageserver-protocol.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Diagnostic, InitializeResult, ProtocolConnection } from 'vscode-languageserver-protocol/node';
import { createProtocolConnection, InitializeRequest, PublishDiagnosticsNotification, ShutdownRequest, ExitNotification } from 'vscode-languageserver-protocol/node';

export const repoRoot = new URL('../../', import.meta.url).pathname;

/** Bundles the server into .tmp/ (ignored by git; the caller removes it, see removeBundle);
 * each module keeps its own import.meta.url. */
export async function bundleServer(): Promise<string> {
  const dir = join(repoRoot, '.tmp');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `lsp-server-${process.pid}-${Date.now()}.mjs`);
  await build({
    stdin: { contents: "import { startStdioServer } from './cli/lsp/stdio.ts';\nstartStdioServer();\n", resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
    banner: { js: "import { createRequire as __moecRequire } from 'node:module'; const require = __moecRequire(import.meta.url);" },
    plugins: [
      {
        name: 'source-import-meta-url',
        setup(b) {
          // Files that find package data relative to themselves (presets, package.json) still do.
          b.onLoad({ filter: /\.ts$/ }, (args) => ({
            contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
            loader: 'ts',
          }));
        },
      },
    ],
  });
  return outfile;
}

export function removeBundle(path: string | undefined): void {
  if (path) rmSync(path, { force: true });
}

export interface Session {
  readonly connection: ProtocolConnection;
  readonly child: ChildProcess;
  readonly initialize: InitializeResult;
  readonly stderr: () => string;
  readonly logs: string[];
  /** The latest diagnostics published for a URI. */
  diagnostics(uri: string): Diagnostic[] | undefined;
  /** Resolves with the first published list for `uri` that satisfies `test`. */
  waitForDiagnostics(uri: string, test: (d: Diagnostic[]) => boolean, timeoutMs?: number): Promise<Diagnostic[]>;
  close(): Promise<number | null>;
}

export async function startSession(command: string[], initializationOptions: unknown = { diagnostics: { debounceMs: 10 } }): Promise<Session> {
  const child = spawn(command[0], command.slice(1), { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const connection = createProtocolConnection(child.stdout!, child.stdin!);
  const latest = new Map<string, Diagnostic[]>();
  const waiters: Array<{ uri: string; test: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }> = [];
  const logs: string[] = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    latest.set(p.uri, p.diagnostics);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.test(p.diagnostics)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  connection.onNotification('window/logMessage', (p: { message: string }) => void logs.push(p.message));
  connection.listen();
  const initialize = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(repoRoot).href,
    capabilities: {},
    initializationOptions,
  });
  await connection.sendNotification('initialized', {});
  return {
    connection,
    child,
    initialize,
    logs,
    stderr: () => stderr,
    diagnostics: (uri) => latest.get(uri),
    waitForDiagnostics(uri, test, timeoutMs = 10_000) {
      const now = latest.get(uri);
      if (now && test(now)) return Promise.resolve(now);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms (latest: ${JSON.stringify(latest.get(uri))})`)), timeoutMs);
        waiters.push({ uri, test, resolve: (d) => (clearTimeout(timer), resolve(d)) });
      });
    },
    async close() {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      if (child.exitCode !== null) return child.exitCode;
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
}

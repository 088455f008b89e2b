// The driver's side of the bench workers: a child process that reads one JSON
// request per line on stdin and answers one JSON reply per line on stdout
// ({ok: true, ...} or {ok: false, error}). Both workers speak it: the PyTorch one
// (torch_worker.py) and moec's (moec-worker.ts), so a round can alternate
// between engines that each keep their model, weights and optimiser warm.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Reply = { readonly ok: true } & Record<string, unknown>;

/** A worker that answered {ok: false}, or died. */
export class WorkerError extends Error {
  constructor(
    readonly worker: string,
    message: string,
    /** The worker says this is its own bug (it printed a traceback on stderr). */
    readonly bug = false,
  ) {
    super(`${worker}: ${message}`);
  }
}

/** Parses one reply line; a line that is not a JSON object is an error naming the worker. */
export function parseReply(worker: string, line: string): Reply {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new WorkerError(worker, `wrote a line that is not JSON: ${line.slice(0, 200)}`, true);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WorkerError(worker, `wrote ${line.slice(0, 200)}, not a JSON object`, true);
  const reply = value as Record<string, unknown>;
  if (reply.ok !== true) throw new WorkerError(worker, String(reply.error ?? 'failed without saying why'), reply.bug === true);
  return reply as Reply;
}

/** Whether a stdout line is a protocol reply (a JSON object with an `ok` field). */
export function isReplyLine(line: string): boolean {
  return /^\s*\{\s*"ok"\s*:/.test(line);
}

export class JsonLineWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private exited: Error | undefined;
  private stderrTail = '';

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv; echoStderr?: boolean; onStray?: (line: string) => void } = {},
  ) {
    this.child = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = createInterface({ input: this.child.stdout });
    lines.on('line', (line) => {
      // Anything that is not a reply (a library printing to stdout) is passed on to stderr.
      if (!isReplyLine(line)) {
        if (line.trim()) (options.onStray ?? ((l: string) => process.stderr.write(`${this.name}: ${l}\n`)))(line);
        return;
      }
      const next = this.pending.shift();
      if (!next) return;
      try {
        next.resolve(parseReply(this.name, line));
      } catch (e) {
        next.reject(e as Error);
      }
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderrTail = (this.stderrTail + text).slice(-4000);
      if (options.echoStderr) process.stderr.write(text);
    });
    const fail = (why: string) => {
      this.exited ??= new WorkerError(this.name, `${why}${this.stderrTail ? `; its last output:\n${this.stderrTail.trimEnd()}` : ''}`, true);
      for (const p of this.pending.splice(0)) p.reject(this.exited);
    };
    this.child.on('error', (e) => fail(`could not start ${command}: ${e.message}`));
    this.child.on('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
  }

  /** Sends one request and waits for its reply (requests are answered in order). */
  request(body: Record<string, unknown>): Promise<Reply> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<Reply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(JSON.stringify(body) + '\n');
    });
  }

  /** Asks the worker to quit and waits for it to exit (killing it after `graceMs`). */
  async close(graceMs = 5000): Promise<void> {
    if (this.exited || this.child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.write(JSON.stringify({ cmd: 'quit' }) + '\n');
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  /** Ends the worker now (on an error path). */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

// Choosing and starting the tfjs backend for a command: one parser and one
// activation with the same messages everywhere.
import { UserError } from '../../diagnostics/fault.ts';
import { BACKEND_NAMES, BackendError, parseThreadCount, selectBackend, type BackendName, type BackendSelection } from '../../runtime/backend.ts';

export function parseBackend(value: string, except: readonly string[] = []): BackendName {
  const allowed = BACKEND_NAMES.filter((n) => !except.includes(n));
  if ((allowed as readonly string[]).includes(value)) return value as BackendName;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) throw new UserError(`this command cannot run on the ${value} backend`, `use one of ${allowed.join(', ')}`);
  throw new UserError(`unknown backend '${value}'`, `use one of ${allowed.join(', ')}`);
}

/** Where a command's thread count comes from: its --threads flag, else MOEC_THREADS of its environment. */
export interface ThreadRequest {
  readonly flag?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The asked-for thread count (validated: MOE0561/MOE0562), or undefined for the default (every core). */
export function parseThreads(request: ThreadRequest = {}): number | undefined {
  if (request.flag !== undefined) return parseThreadCount(request.flag, '--threads');
  const fromEnv = request.env?.MOEC_THREADS;
  if (fromEnv !== undefined && fromEnv !== '') return parseThreadCount(fromEnv, 'MOEC_THREADS');
  return undefined;
}

/** A started backend: `label` for the log (`wasm, 2 threads (why)`), and the selection. */
export interface StartedBackend {
  readonly label: string;
  readonly name: string;
  readonly threads: number;
  readonly selection: BackendSelection;
}

/** `wasm, 2 threads (why)`; a fallback says why: `wasm, 1 thread: this Node has no SharedArrayBuffer (why)`. */
export function describeBackend(b: BackendSelection): string {
  const count = b.profile.threadsInUse ? `, ${b.threads} thread${b.threads === 1 ? '' : 's'}` : '';
  return `${b.name}${count}${b.threadNote ? `: ${b.threadNote}` : ''} (${b.reason})`;
}

/** Starts the backend with `threads` (parseThreads's answer; undefined: every core). A backend that cannot start is a UserError. */
export async function activateBackend(name: BackendName, asked?: number): Promise<StartedBackend> {
  try {
    const b = await selectBackend(name, asked !== undefined ? { threads: asked } : {});
    return { label: describeBackend(b), name: b.name, threads: b.threads, selection: b };
  } catch (e) {
    if (e instanceof BackendError) throw new UserError(e.message, name === 'auto' ? undefined : 'try --backend auto (picks an available backend), wasm or cpu');
    throw e;
  }
}

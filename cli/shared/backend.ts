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

/**
 * Below this much work per call (FLOPs of a training step: 3 × forward × batch) the
 * wasm backend runs faster on one thread than on all cores: XNNPACK wakes its pool for
 * every one of ~1,000 small kernels per step. Measured on 2 cores (bench/threads.ts and
 * bench/torch/run.ts): the README example (0.9 GFLOP per step) 0.82× at 2 threads, the
 * 16 M-parameter case (13 GFLOP) 1.2×, a ViT-S step (75 GFLOP) 1.6×.
 */
export const ONE_THREAD_BELOW_FLOPS = 4e9;

/** The thread count to ask for when none was given: 1 for work below ONE_THREAD_BELOW_FLOPS (with why), else undefined (every core). */
export function threadsForWork(flopsPerCall: number): { threads: number; why: string } | undefined {
  if (flopsPerCall >= ONE_THREAD_BELOW_FLOPS) return undefined;
  return { threads: 1, why: `${(flopsPerCall / 1e9).toPrecision(2)} GFLOP per step is too little work to share (--threads N for more)` };
}

/**
 * Starts the backend with `threads` (parseThreads's answer; undefined: every core, or
 * one thread where `flopsPerCall` is small: threadsForWork). A backend that cannot start is a UserError.
 */
export async function activateBackend(name: BackendName, asked?: number, work?: { readonly flopsPerCall: number }): Promise<StartedBackend> {
  try {
    const small = asked === undefined && work ? threadsForWork(work.flopsPerCall) : undefined;
    const threads = asked ?? small?.threads;
    let b = await selectBackend(name, threads !== undefined ? { threads } : {});
    if (small && b.profile.threadsInUse && !b.threadNote) b = { ...b, threadNote: small.why };
    return { label: describeBackend(b), name: b.name, threads: b.threads, selection: b };
  } catch (e) {
    if (e instanceof BackendError) throw new UserError(e.message, name === 'auto' ? undefined : 'try --backend auto (picks an available backend), wasm or cpu');
    throw e;
  }
}

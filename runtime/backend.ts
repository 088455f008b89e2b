// Backend selection. `auto` tries the fastest backend that loads, in the profiles'
// `autoRank` order (runtime/backends/: tfjs-node-gpu, tfjs-node, wasm, cpu);
// `webgpu` only when asked for. The native and WebGPU packages are optional: their
// profiles import them by a name TypeScript does not resolve, so their absence
// never breaks compiling, installing or testing. Threads size the wasm backend's
// XNNPACK pool (runtime/backends/wasm-threads.ts): the machine's cores unless asked
// otherwise (`{ threads }`, else MOEC_THREADS); chosen once per process, before the
// backend initialises.
import os from 'node:os';
import { UserError } from '../diagnostics/fault.ts';
import { AUTO_ORDER, BACKEND_PROFILES, PROFILE_NAMES, profileNamed, setActiveProfile, type ProfileName } from './backends/index.ts';
import { BackendError, firstLine, type BackendProfile } from './backends/profile.ts';

export type BackendName = 'auto' | ProfileName;

export interface BackendSelection {
  /** The tfjs backend now active (`tensorflow`, `wasm`, `cpu`, `webgpu`). */
  readonly name: string;
  /** The profile moec runs with (its kernels and capabilities). */
  readonly profile: BackendProfile;
  /** Why this one: what was asked for, or why auto settled on it. */
  readonly reason: string;
  /** The faster backends auto skipped, each with why. */
  readonly skipped: string[];
  /** Threads of the backend's pool actually in use (1 after a fallback, and on backends moec does not size: cpu, tensorflow, webgpu). */
  readonly threads: number;
  /** Why `threads` is not the count asked for (no SharedArrayBuffer, another package version, …); absent when it is. */
  readonly threadNote?: string;
}

export interface SelectOptions {
  /** Threads for the wasm backend (an integer ≥ 1); default MOEC_THREADS, else every core (os.availableParallelism()). */
  readonly threads?: number;
}

/** An integer ≥ 1, or a UserError naming where the value came from. */
export function parseThreadCount(value: string, from: '--threads' | 'MOEC_THREADS'): number {
  const n = Number(value);
  if (/^\s*\d+\s*$/.test(value) && Number.isSafeInteger(n) && n >= 1) return n;
  const code = from === '--threads' ? 'MOE0561' : 'MOE0562';
  const help = from === '--threads' ? 'give a whole number of threads, e.g. --threads 4 (default: every core)' : 'set MOEC_THREADS to a whole number of threads, e.g. MOEC_THREADS=4, or unset it (default: every core)';
  throw new UserError(`${from} expects an integer ≥ 1, got '${value}'`, help, code);
}

/** The thread count when none is asked for: MOEC_THREADS when set, else every core. */
export function defaultThreadCount(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const fromEnv = env.MOEC_THREADS;
  if (fromEnv !== undefined && fromEnv !== '') return parseThreadCount(fromEnv, 'MOEC_THREADS');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export const BACKEND_NAMES: readonly BackendName[] = ['auto', ...PROFILE_NAMES];

export { BackendError };

async function start(profile: BackendProfile, threads: number): Promise<string | void> {
  const detail = await profile.load({ threads });
  profile.install();
  setActiveProfile(profile);
  return detail;
}

/** The threads a started profile runs on; `explicit`: whether the caller asked (then other backends say they ignore it). */
function threadsOf(profile: BackendProfile, threads: number, explicit: boolean): Pick<BackendSelection, 'threads' | 'threadNote'> {
  if (profile.threadsInUse) {
    const used = profile.threadsInUse(threads);
    return { threads: used.threads, ...(used.note ? { threadNote: used.note } : {}) };
  }
  return { threads: 1, ...(explicit && threads > 1 ? { threadNote: 'threads apply to the wasm backend only' } : {}) };
}

/**
 * Activates a backend. A named backend that cannot load is an error (BackendError
 * with what to install); `auto` falls through the list and reports what it skipped.
 */
export async function selectBackend(name: BackendName = 'auto', options: SelectOptions = {}): Promise<BackendSelection> {
  const explicit = options.threads !== undefined;
  if (explicit && (!Number.isSafeInteger(options.threads) || options.threads! < 1)) throw new BackendError(`threads must be an integer ≥ 1, got ${String(options.threads)}`);
  const threads = options.threads ?? defaultThreadCount();
  if (name !== 'auto') {
    const profile = profileNamed(name);
    if (!profile) throw new BackendError(`unknown backend '${String(name)}' (one of ${BACKEND_NAMES.join(', ')})`);
    let detail: string | void;
    try {
      detail = await start(profile, threads);
    } catch (error) {
      throw error instanceof BackendError ? error : new BackendError(`the ${name} backend failed: ${firstLine(error)}`);
    }
    return { name: profile.tfjsName, profile, reason: `requested with --backend ${name}${detail ? `; ${detail}` : ''}`, skipped: [], ...threadsOf(profile, threads, explicit) };
  }
  const skipped: string[] = [];
  for (const candidate of AUTO_ORDER) {
    try {
      await start(candidate, threads);
    } catch (error) {
      skipped.push(`${candidate.name}: ${firstLine(error)}`);
      continue;
    }
    const reason = skipped.length === 0 ? `${candidate.name} is the fastest backend available` : `${candidate.name} is the fastest backend that loaded`;
    return { name: candidate.tfjsName, profile: candidate, reason, skipped, ...threadsOf(candidate, threads, explicit) };
  }
  throw new BackendError(`no backend could be started: ${skipped.join('; ')}`);
}

/** Every profile, for help texts and docs. */
export const BACKEND_DESCRIPTIONS: readonly { readonly name: string; readonly description: string }[] = BACKEND_PROFILES.map((p) => ({
  name: p.name,
  description: p.description,
}));

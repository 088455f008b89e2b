// Backend selection. `auto` tries the fastest backend that loads, in the profiles'
// `autoRank` order (runtime/backends/: tfjs-node-gpu, tfjs-node, wasm, cpu);
// `webgpu` only when asked for. The native and WebGPU packages are optional: their
// profiles import them by a name TypeScript does not resolve, so their absence
// never breaks compiling, installing or testing.
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
}

export const BACKEND_NAMES: readonly BackendName[] = ['auto', ...PROFILE_NAMES];

export { BackendError };

async function start(profile: BackendProfile): Promise<string | void> {
  const detail = await profile.load();
  profile.install();
  setActiveProfile(profile);
  return detail;
}

/**
 * Activates a backend. A named backend that cannot load is an error (BackendError
 * with what to install); `auto` falls through the list and reports what it skipped.
 */
export async function selectBackend(name: BackendName = 'auto'): Promise<BackendSelection> {
  if (name !== 'auto') {
    const profile = profileNamed(name);
    if (!profile) throw new BackendError(`unknown backend '${String(name)}' (one of ${BACKEND_NAMES.join(', ')})`);
    let detail: string | void;
    try {
      detail = await start(profile);
    } catch (error) {
      throw error instanceof BackendError ? error : new BackendError(`the ${name} backend failed: ${firstLine(error)}`);
    }
    return { name: profile.tfjsName, profile, reason: `requested with --backend ${name}${detail ? `; ${detail}` : ''}`, skipped: [] };
  }
  const skipped: string[] = [];
  for (const candidate of AUTO_ORDER) {
    try {
      await start(candidate);
    } catch (error) {
      skipped.push(`${candidate.name}: ${firstLine(error)}`);
      continue;
    }
    const reason = skipped.length === 0 ? `${candidate.name} is the fastest backend available` : `${candidate.name} is the fastest backend that loaded`;
    return { name: candidate.tfjsName, profile: candidate, reason, skipped };
  }
  throw new BackendError(`no backend could be started: ${skipped.join('; ')}`);
}

/** Every profile, for help texts and docs. */
export const BACKEND_DESCRIPTIONS: readonly { readonly name: string; readonly description: string }[] = BACKEND_PROFILES.map((p) => ({
  name: p.name,
  description: p.description,
}));

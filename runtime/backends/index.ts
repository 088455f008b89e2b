// The backend profiles moec knows, and which one is active. Adding a backend is
// one profile file and one entry in BACKEND_PROFILES.
import * as tf from '@tensorflow/tfjs';
import { BASE_KERNELS } from '../kernels/index.ts';
import { bindKernels, type BoundKernels } from '../kernels/bind.ts';
import type { BackendProfile } from './profile.ts';
import { cpu } from './cpu.ts';
import { wasm } from './wasm.ts';
import { webgpu } from './webgpu.ts';
import { tensorflow } from './tensorflow.ts';
import { tensorflowGpu } from './tensorflow-gpu.ts';

export const BACKEND_PROFILES = [wasm, cpu, webgpu, tensorflow, tensorflowGpu] as const;

export type ProfileName = (typeof BACKEND_PROFILES)[number]['name'];

export const PROFILE_NAMES: readonly ProfileName[] = BACKEND_PROFILES.map((p) => p.name);

/** The profiles `auto` tries, fastest first. */
export const AUTO_ORDER: readonly BackendProfile[] = [...BACKEND_PROFILES]
  .filter((p): p is (typeof BACKEND_PROFILES)[number] & { autoRank: number } => 'autoRank' in p)
  .sort((a, b) => a.autoRank - b.autoRank);

export function profileNamed(name: string): BackendProfile | undefined {
  return BACKEND_PROFILES.find((p) => p.name === name);
}

let selected: BackendProfile | undefined;

/** Records the profile selectBackend activated. */
export function setActiveProfile(profile: BackendProfile): void {
  selected = profile;
}

/**
 * The profile of the active tfjs backend: the one selectBackend chose, or (when
 * tfjs was switched directly) the first profile of that tfjs backend.
 */
export function activeProfile(): BackendProfile {
  const tfjsName = tf.getBackend();
  if (selected && selected.tfjsName === tfjsName) return selected;
  return BACKEND_PROFILES.find((p) => p.tfjsName === tfjsName) ?? unknownProfile(tfjsName);
}

const unknown = new Map<string, BackendProfile>();

/** A tfjs backend moec has no profile for (registered by the caller): base kernels, no synchronous reads assumed. */
function unknownProfile(tfjsName: string): BackendProfile {
  let profile = unknown.get(tfjsName);
  if (!profile) {
    profile = {
      name: tfjsName,
      tfjsName,
      description: `the ${tfjsName} tfjs backend (no moec profile)`,
      load: async () => {},
      install: () => {},
      readsSync: false,
      synchronous: false,
      kernels: {},
    };
    unknown.set(tfjsName, profile);
  }
  return profile;
}

const bound = new Map<BackendProfile, BoundKernels>();

/** `{...BASE_KERNELS, ...profile.kernels}` with each op's gradient class applied (cached per profile). */
export function kernelsFor(profile: BackendProfile): BoundKernels {
  let kernels = bound.get(profile);
  if (!kernels) {
    kernels = bindKernels({ ...BASE_KERNELS, ...profile.kernels });
    bound.set(profile, kernels);
  }
  return kernels;
}

export type { BackendProfile } from './profile.ts';
export { BackendError } from './profile.ts';

// Lowering entry point: a checked model → the op graph.
import type { Graph } from '../graph/ir.ts';
import type { ResolvedModel } from '../model.ts';
import { lowerVit } from './vit.ts';

// A static import (not a path read at run time) so the bundled CLI (dist/) records the same version.
import packageJson from '../../package.json' with { type: 'json' };

/** The moec version recorded in every graph it writes. */
export const COMPILER_VERSION: string = packageJson.version;

export function lowerModel(model: ResolvedModel, options: { source?: string } = {}): Graph {
  return lowerVit(model, { compiler: COMPILER_VERSION, ...(options.source ? { source: options.source } : {}) });
}

export { lowerVit, LAYER_NORM_EPSILON } from './vit.ts';

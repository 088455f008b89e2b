// Lowering entry point: a checked model → the op graph.
import { createRequire } from 'node:module';
import type { Graph } from '../graph/ir.ts';
import type { ResolvedModel } from '../model.ts';
import { lowerVit } from './vit.ts';

const packageJson = createRequire(import.meta.url)('../../package.json') as { version: string };

/** The moec version recorded in every graph it writes. */
export const COMPILER_VERSION: string = packageJson.version;

export function lowerModel(model: ResolvedModel, options: { source?: string } = {}): Graph {
  return lowerVit(model, { compiler: COMPILER_VERSION, ...(options.source ? { source: options.source } : {}) });
}

export { lowerVit, LAYER_NORM_EPSILON } from './vit.ts';

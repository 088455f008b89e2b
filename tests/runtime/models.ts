// Small ResolvedModels for the runtime tests (what the checker would produce).
import type { BlockLayer, ResolvedModel } from '../../compiler/model.ts';

export function vitModel(overrides: Partial<ResolvedModel> & { blocks?: readonly BlockLayer[] } = {}): ResolvedModel {
  const image = overrides.image ?? ([8, 8, 1] as const);
  const patch = overrides.patch ?? ([4, 4] as const);
  const pool = overrides.pool ?? 'gap';
  const depth = overrides.depth ?? 1;
  const tokens = (image[0] / patch[0]) * (image[1] / patch[1]) + (pool === 'cls' ? 1 : 0);
  return {
    name: 'tiny',
    image,
    patch,
    width: 8,
    depth,
    heads: 2,
    mlp: 16,
    classes: 3,
    pool,
    dropout: 0,
    posemb: 'learned',
    tokens,
    blocks: Array.from({ length: depth }, () => ({ kind: 'dense' }) as const),
    ...overrides,
  };
}

/** ViT-B/16 at 224x224x3, pool cls, 1000 classes. */
export const VIT_B16: ResolvedModel = vitModel({
  name: 'vit_b16',
  image: [224, 224, 3],
  patch: [16, 16],
  width: 768,
  depth: 12,
  heads: 12,
  mlp: 3072,
  classes: 1000,
  pool: 'cls',
  tokens: 197,
  blocks: Array.from({ length: 12 }, () => ({ kind: 'dense' }) as const),
});

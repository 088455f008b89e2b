// The smallest batch a model runs with: a routing group of S tokens spanning
// several images (S a multiple of the T tokens of one image, rule group-tokens)
// needs S/T whole images, so every batch is a multiple of the largest such S/T
// (the least common multiple over the MoE blocks). The executor derives the same
// number from the lowered graph's symbolic shapes (B·T/S groups must be whole).
import type { ResolvedModel } from '../model.ts';

export interface BatchMultiple {
  /** Every batch must be a multiple of this (1: any batch). */
  readonly multiple: number;
  /** The MoE block whose routing group needs the most images, with its group size in tokens. */
  readonly block?: { readonly index: number; readonly group: number; readonly images: number };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function batchMultiple(model: ResolvedModel): BatchMultiple {
  let multiple = 1;
  let block: BatchMultiple['block'];
  model.blocks.forEach((layer, index) => {
    if (layer.kind !== 'moe') return;
    const group = layer.router.group;
    const images = group / gcd(group, model.tokens);
    multiple = (multiple * images) / gcd(multiple, images);
    if (images > 1 && (!block || images > block.images)) block = { index, group, images };
  });
  return { multiple, ...(block ? { block } : {}) };
}

// The routing numbers of one MoE block, read from the executor's own dispatch and
// combine tensors D, Cw [G, S, E, C] (the very tensors the dispatcher multiplies
// with; routers.md §1). Tokens are laid out image after image (B·T), cut into
// groups of S, so token t of image n sits at group ⌊(nT+t)/S⌋, row (nT+t) mod S.
//
//   sparse routers (D is 0/1): a token's choices are the (expert, slot) cells where
//     D = 1, ranked by their combine weight (the gate); no cell = dropped;
//   Soft MoE: column (e, c) of D is slot c of expert e's distribution over the
//     group's tokens; row s of Cw is token s's mixture over all slots.
import type { PatchGrid, RoutedBlock } from './layout.ts';

export interface RoutingBatch {
  /** Images in the batch. */
  readonly images: number;
  /** D and Cw, row-major [G, S, E, C]. */
  readonly dispatch: Float32Array;
  readonly combine: Float32Array;
}

/** Sparse routers: where each patch of one image went. */
export interface SparseImageRoutes {
  readonly kind: 'sparse';
  /** Per patch (row-major over the grid): the expert with the largest gate among the kept choices, −1 when dropped. */
  readonly expert: number[];
  /** Per patch: the second kept expert (k > 1 or expert choice), −1 when none. */
  readonly second: number[];
  /** Per patch: how many choices were kept (experts that process it). */
  readonly kept: number[];
  /** Per patch: true when no expert processes it (dropped by capacity). */
  readonly dropped: boolean[];
  /** Per patch: true when some of its k choices were dropped (token choice, k > 1) but not all. */
  readonly partlyDropped: boolean[];
  /** Per expert: this image's tokens (class token included) it processes. */
  readonly expertTokens: number[];
  /** Per expert: slots used in the image's routing group(s) / slots available. */
  readonly fill: number[];
  /** The class token's top-1 expert (pool: cls), −1 when dropped or absent. */
  readonly clsExpert?: number;
}

/** Soft MoE: one chosen slot's dispatch weights over the patches, one chosen patch's combine weights. */
export interface SoftImageRoutes {
  readonly kind: 'soft';
  /** The slot shown: expert e, slot c (the slot with the largest dispatch weight on this image unless chosen). */
  readonly slot: { readonly expert: number; readonly slot: number };
  /** Per patch: the chosen slot's dispatch weight (a distribution over its whole group). */
  readonly dispatch: number[];
  /** The patch with the largest weight in `dispatch`. */
  readonly hottest: number;
  /** The patch whose combine weights are shown (centre patch unless chosen). */
  readonly patch: number;
  /** combine[e][c]: the chosen patch's weight on slot c of expert e (sums to 1). */
  readonly combine: number[][];
  /** Per expert: the chosen patch's total combine weight. */
  readonly combineByExpert: number[];
  /** Up to four slots with the largest peak weight on this image. */
  readonly topSlots: { readonly expert: number; readonly slot: number; readonly peak: number; readonly patch: number }[];
}

export type ImageRoutes = SparseImageRoutes | SoftImageRoutes;

export interface ImageChoice {
  /** Soft MoE: the slot to show, else the one peaking on the image. */
  readonly slot?: { readonly expert: number; readonly slot: number };
  /** Soft MoE: the patch whose combine weights to show (default: the centre patch). */
  readonly patch?: number;
}

class View {
  readonly E: number;
  readonly C: number;
  readonly S: number;
  constructor(
    readonly block: RoutedBlock,
    readonly grid: PatchGrid,
    readonly batch: RoutingBatch,
  ) {
    this.E = block.experts;
    this.C = block.capacity;
    this.S = block.group;
    const expected = batch.images * grid.tokens * this.E * this.C;
    if (batch.dispatch.length !== expected || batch.combine.length !== expected)
      throw new Error(`block ${block.index}: routing tensors hold ${batch.dispatch.length} and ${batch.combine.length} values, expected ${expected} (${batch.images} images × ${grid.tokens} tokens × ${this.E} experts × ${this.C} slots)`);
  }
  /** Offset of token (n, t)'s row of E·C cells. */
  row(n: number, t: number): number {
    return (n * this.grid.tokens + t) * this.E * this.C;
  }
  /** Offset of cell (e, c) of the token at global row `r`. */
  cell(r: number, e: number, c: number): number {
    return r * this.E * this.C + e * this.C + c;
  }
  groupOf(n: number, t: number): number {
    return Math.floor((n * this.grid.tokens + t) / this.S);
  }
}

/** A token's kept choices, best gate first: [expert, weight]. */
function choices(v: View, n: number, t: number): [number, number][] {
  const base = v.row(n, t);
  const perExpert = new Map<number, number>();
  for (let e = 0; e < v.E; e++)
    for (let c = 0; c < v.C; c++) {
      const i = base + e * v.C + c;
      if (v.batch.dispatch[i]! > 0.5) perExpert.set(e, (perExpert.get(e) ?? 0) + v.batch.combine[i]!);
    }
  return [...perExpert].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}

/** Slots used per expert in group g, as a fraction of its C slots. */
function groupFill(v: View, g: number): number[] {
  const used = new Array<number>(v.E).fill(0);
  const start = g * v.S * v.E * v.C;
  for (let s = 0; s < v.S; s++)
    for (let e = 0; e < v.E; e++)
      for (let c = 0; c < v.C; c++) if (v.batch.dispatch[start + (s * v.E + e) * v.C + c]! > 0.5) used[e]! += 1;
  return used.map((u) => u / v.C);
}

function sparseImage(v: View, n: number): SparseImageRoutes {
  const { grid, block } = v;
  const expert: number[] = [];
  const second: number[] = [];
  const kept: number[] = [];
  const dropped: boolean[] = [];
  const partlyDropped: boolean[] = [];
  const expertTokens = new Array<number>(v.E).fill(0);
  for (let t = 0; t < grid.tokens; t++) {
    const ch = choices(v, n, t);
    for (const [e] of ch) expertTokens[e]! += 1;
    if (t < grid.prefix) continue;
    expert.push(ch[0]?.[0] ?? -1);
    second.push(ch[1]?.[0] ?? -1);
    kept.push(ch.length);
    dropped.push(ch.length === 0);
    partlyDropped.push(block.family === 'token_choice' && ch.length > 0 && ch.length < block.k);
  }
  // Fill of the group(s) holding this image's tokens, averaged when the image spans several.
  const g0 = v.groupOf(n, 0);
  const g1 = v.groupOf(n, grid.tokens - 1);
  const fill = new Array<number>(v.E).fill(0);
  for (let g = g0; g <= g1; g++) groupFill(v, g).forEach((f, e) => (fill[e]! += f / (g1 - g0 + 1)));
  const clsExpert = grid.prefix > 0 ? (choices(v, n, 0)[0]?.[0] ?? -1) : undefined;
  return { kind: 'sparse', expert, second, kept, dropped, partlyDropped, expertTokens, fill, ...(clsExpert !== undefined ? { clsExpert } : {}) };
}

function softImage(v: View, n: number, choice: ImageChoice): SoftImageRoutes {
  const { grid } = v;
  const patches = grid.rows * grid.cols;
  const weightAt = (t: number, e: number, c: number) => v.batch.dispatch[v.row(n, t) + e * v.C + c]!;
  // Peak of every slot over this image's patches.
  const peaks: { expert: number; slot: number; peak: number; patch: number }[] = [];
  for (let e = 0; e < v.E; e++)
    for (let c = 0; c < v.C; c++) {
      let peak = -1;
      let at = 0;
      for (let p = 0; p < patches; p++) {
        const w = weightAt(grid.prefix + p, e, c);
        if (w > peak) [peak, at] = [w, p];
      }
      peaks.push({ expert: e, slot: c, peak, patch: at });
    }
  const ranked = [...peaks].sort((a, b) => b.peak - a.peak || a.expert - b.expert || a.slot - b.slot);
  const slot = choice.slot ?? { expert: ranked[0]!.expert, slot: ranked[0]!.slot };
  const dispatch = Array.from({ length: patches }, (_, p) => weightAt(grid.prefix + p, slot.expert, slot.slot));
  let hottest = 0;
  dispatch.forEach((w, p) => {
    if (w > dispatch[hottest]!) hottest = p;
  });
  const patch = choice.patch ?? Math.floor(grid.rows / 2) * grid.cols + Math.floor(grid.cols / 2);
  const base = v.row(n, grid.prefix + patch);
  const combine = Array.from({ length: v.E }, (_, e) => Array.from({ length: v.C }, (_, c) => v.batch.combine[base + e * v.C + c]!));
  return {
    kind: 'soft',
    slot,
    dispatch,
    hottest,
    patch,
    combine,
    combineByExpert: combine.map((row) => row.reduce((a, b) => a + b, 0)),
    topSlots: ranked.slice(0, Math.min(4, ranked.length)),
  };
}

/** The routes of image n of the batch. */
export function imageRoutes(block: RoutedBlock, grid: PatchGrid, batch: RoutingBatch, n: number, choice: ImageChoice = {}): ImageRoutes {
  const v = new View(block, grid, batch);
  return block.family === 'soft' ? softImage(v, n, choice) : sparseImage(v, n);
}

/** Per-block statistics over many images (the test split). */
export interface BlockStats {
  readonly images: number;
  readonly tokens: number;
  /** Fraction of tokens no expert processes (sparse; 0 for Soft MoE). */
  readonly dropRate: number;
  /** Token choice: fraction of the k·tokens choices dropped. Others: equal to dropRate. */
  readonly choiceDropRate: number;
  /**
   * histogram[j]: tokens processed by j experts (sparse: kept choices; Soft MoE:
   * the token's effective expert count exp(entropy of its per-expert combine mass), rounded).
   */
  readonly expertsPerToken: number[];
  readonly meanExpertsPerToken: number;
  /** Per expert: mean fraction of its slots filled per group (sparse; 1 for Soft MoE). */
  readonly fill: number[];
  /** Per expert: fraction of all routed weight it receives (tokens for sparse, combine mass for Soft MoE). */
  readonly load: number[];
  /** classUsage[class][expert]: share of the class's routed weight each expert receives (rows sum to 1). */
  readonly classUsage: number[][];
  /** Images per class seen. */
  readonly classImages: number[];
}

export class BlockStatsAccumulator {
  private images = 0;
  private tokens = 0;
  private droppedTokens = 0;
  private keptChoices = 0;
  private readonly histogram: number[];
  private sumExperts = 0;
  private readonly fillSum: Float64Array;
  private groups = 0;
  private readonly usage: Float64Array[];
  private readonly loadSum: Float64Array;
  private readonly classImages: number[];

  constructor(
    readonly block: RoutedBlock,
    readonly grid: PatchGrid,
    readonly classes: number,
  ) {
    this.histogram = new Array<number>(block.experts + 1).fill(0);
    this.fillSum = new Float64Array(block.experts);
    this.usage = Array.from({ length: classes }, () => new Float64Array(block.experts));
    this.loadSum = new Float64Array(block.experts);
    this.classImages = new Array<number>(classes).fill(0);
  }

  /**
   * Adds the first `count` images of a batch (the rest is padding that filled the
   * last routing group); labels[n] is image n's class (−1: not counted in classUsage).
   */
  add(batch: RoutingBatch, labels: ArrayLike<number>, count = batch.images): void {
    const v = new View(this.block, this.grid, batch);
    const { E, C } = v;
    const perExpert = new Float64Array(E);
    for (let n = 0; n < count; n++) {
      const label = labels[n] ?? -1;
      const row = label >= 0 && label < this.classes ? this.usage[label] : undefined;
      if (row) this.classImages[label]! += 1;
      for (let t = 0; t < this.grid.tokens; t++) {
        const base = v.row(n, t);
        perExpert.fill(0);
        let count = 0;
        for (let e = 0; e < E; e++)
          for (let c = 0; c < C; c++) {
            const i = base + e * C + c;
            if (this.block.family === 'soft') perExpert[e]! += batch.combine[i]!;
            else if (batch.dispatch[i]! > 0.5) perExpert[e] = 1;
          }
        if (this.block.family === 'soft') {
          const mass = perExpert.reduce((a, b) => a + b, 0);
          let entropy = 0;
          for (const m of perExpert) if (m > 0 && mass > 0) entropy -= (m / mass) * Math.log(m / mass);
          count = Math.min(E, Math.max(1, Math.round(Math.exp(entropy))));
          if (mass > 0) this.spread(perExpert, mass, row);
        } else {
          for (let e = 0; e < E; e++) count += perExpert[e]!;
          if (count > 0) this.spread(perExpert, count, row);
        }
        this.histogram[count]! += 1;
        this.sumExperts += count;
        this.keptChoices += this.block.family === 'soft' ? 0 : count;
        if (count === 0) this.droppedTokens += 1;
        this.tokens += 1;
      }
    }
    // Groups holding at least one token of the counted images.
    const groups = Math.ceil((count * this.grid.tokens) / v.S);
    for (let g = 0; g < groups; g++) {
      const f = this.block.family === 'soft' ? new Array<number>(E).fill(1) : groupFill(v, g);
      f.forEach((x, e) => (this.fillSum[e]! += x));
      this.groups += 1;
    }
    this.images += count;
  }

  /** One token's unit of routed weight, split over the experts, into the load and its class's row. */
  private spread(perExpert: Float64Array, total: number, row: Float64Array | undefined): void {
    for (let e = 0; e < perExpert.length; e++) {
      const share = perExpert[e]! / total;
      this.loadSum[e]! += share;
      if (row) row[e]! += share;
    }
  }

  summary(): BlockStats {
    const tokens = Math.max(1, this.tokens);
    const dropRate = this.droppedTokens / tokens;
    const choiceDropRate = this.block.family === 'token_choice' ? 1 - this.keptChoices / (this.block.k * tokens) : dropRate;
    const total = this.loadSum;
    const totalMass = total.reduce((a, b) => a + b, 0);
    return {
      images: this.images,
      tokens: this.tokens,
      dropRate: round(dropRate),
      choiceDropRate: round(Math.max(0, choiceDropRate)),
      expertsPerToken: [...this.histogram],
      meanExpertsPerToken: round(this.sumExperts / tokens),
      fill: Array.from(this.fillSum, (s) => round(this.groups ? s / this.groups : 0)),
      load: Array.from(total, (x) => round(totalMass > 0 ? x / totalMass : 0)),
      classUsage: this.usage.map((row) => {
        const s = row.reduce((a, b) => a + b, 0);
        return Array.from(row, (x) => round(s > 0 ? x / s : 0));
      }),
      classImages: [...this.classImages],
    };
  }
}

export function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

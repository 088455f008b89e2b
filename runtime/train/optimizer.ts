// AdamW and SGD with momentum, written with tf ops so that their state is plain
// named tensors (checkpointable, one slot per parameter name).
//
// AdamW (Loshchilov & Hutter; optax.adamw): t ← t+1, m ← b1·m + (1−b1)·g,
// v ← b2·v + (1−b2)·g², m̂ = m/(1−b1^t), v̂ = v/(1−b2^t),
// p ← p − lr·(m̂/(√v̂ + ε) + wd·p), the decay term only for parameters whose
// ParamSpec has `decay: true`.
// SGD: u ← μ·u + g, p ← p − lr·u.
// Both first clip the gradients to global norm `clip` (0 = off):
// g ← g·min(1, clip/‖g‖₂) with ‖g‖₂ over every gradient together.
import * as tf from '@tensorflow/tfjs';
import { adamwFits, simdAdamW } from '../kernels/wasm-adamw.ts';
import type { OptimizerSpec } from '../../compiler/model.ts';

export const ADAM_EPSILON = 1e-8;

export interface OptimizerParam {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly decay: boolean;
}

export interface StepReport {
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

/** One optimiser slot tensor of one parameter, as a checkpoint stores it. */
export interface SlotArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * The update runs on all parameters at once: gradients, parameters and slots as flat
 * vectors (one concat each), so a step is about twenty kernels instead of about
 * fifteen per parameter (≈ 1,000 for the README example, each a JS → wasm call).
 * Every op is elementwise, so each element sees the same float32 operations as a
 * per-parameter update would; only the global norm sums in a different order.
 * The slots are kept flat (one variable per slot kind); a checkpoint still stores
 * them per parameter as `<slot>/<param>` (readSlots, loadSlots).
 */
export class Optimizer {
  /** Updates taken so far (Adam's t). */
  count = 0;
  /** Flat slot variables by slot kind (`m`, `v`, `momentum`), parameters concatenated in order. */
  private readonly flatSlots = new Map<string, tf.Variable>();
  /** Each parameter's [offset, size] in the flat vectors. */
  private readonly ranges: readonly (readonly [number, number])[];
  private readonly total: number;
  /** weightDecay where the parameter decays, else 0 (flat), for AdamW with decay. */
  private decayMask?: tf.Tensor;

  constructor(
    readonly spec: OptimizerSpec,
    private readonly params: readonly OptimizerParam[],
  ) {
    let offset = 0;
    this.ranges = params.map((p) => {
      const r = [offset, p.variable.size] as const;
      offset += p.variable.size;
      return r;
    });
    this.total = offset;
    for (const s of Optimizer.slotNames(spec)) this.flatSlots.set(s, tf.tidy(() => tf.variable(tf.zeros([this.total]), false)));
    if (spec.kind === 'adamw' && spec.weightDecay !== 0 && params.some((p) => p.decay)) {
      const mask = new Float32Array(this.total);
      params.forEach((p, i) => {
        if (p.decay) mask.fill(spec.weightDecay, this.ranges[i]![0], this.ranges[i]![0] + this.ranges[i]![1]);
      });
      this.decayMask = tf.keep(tf.tensor1d(mask)); // outlives any tidy the caller runs
    }
  }

  /** The slot tensors kept per parameter (their names are `<slot>/<param>`). */
  static slotNames(spec: OptimizerSpec): readonly string[] {
    return spec.kind === 'adamw' ? ['m', 'v'] : spec.momentum !== 0 ? ['momentum'] : [];
  }

  /** The slots per parameter, in checkpoint order (for each parameter, each slot kind). */
  async readSlots(): Promise<SlotArray[]> {
    const flat = new Map<string, Float32Array>();
    for (const [s, v] of this.flatSlots) flat.set(s, (await v.data()) as Float32Array);
    return this.params.flatMap((p, i) => {
      const [offset, size] = this.ranges[i]!;
      return [...flat].map(([s, data]) => ({ name: `${s}/${p.name}`, shape: p.variable.shape, data: data.slice(offset, offset + size) }));
    });
  }

  /** Sets every slot from `get(name)` (a checkpoint's `<slot>/<param>` arrays) and the update count. */
  loadSlots(get: (name: string) => Float32Array, count: number): void {
    for (const [s, v] of this.flatSlots) {
      const flat = new Float32Array(this.total);
      this.params.forEach((p, i) => flat.set(get(`${s}/${p.name}`).subarray(0, this.ranges[i]![1]), this.ranges[i]![0]));
      tf.tidy(() => v.assign(tf.tensor1d(flat)));
    }
    this.count = count;
  }

  /** Applies one update with learning rate `lr`; `grads` by parameter name. Disposes nothing it was given. */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): StepReport {
    const flat = this.flatGradients(grads);
    const norm = tf.tidy(() => tf.sqrt(tf.sum(tf.square(flat))));
    const gradNorm = norm.dataSync()[0]!;
    norm.dispose();
    return this.applyWithNorm(flat, lr, gradNorm);
  }

  /**
   * `apply` with an asynchronous read of the gradient norm: the same update, for
   * backends that cannot read synchronously (webgpu).
   */
  async applyAsync(grads: ReadonlyMap<string, tf.Tensor>, lr: number): Promise<StepReport> {
    const flat = this.flatGradients(grads);
    const norm = tf.tidy(() => tf.sqrt(tf.sum(tf.square(flat))));
    const gradNorm = (await norm.data())[0]!;
    norm.dispose();
    return this.applyWithNorm(flat, lr, gradNorm);
  }

  /** Every gradient, flattened and concatenated in parameter order (a tensor the caller disposes). */
  private flatGradients(grads: ReadonlyMap<string, tf.Tensor>): tf.Tensor1D {
    return tf.tidy(() => {
      const gs = this.params.map((p) => {
        const g = grads.get(p.name);
        if (!g) throw new Error(`internal: no gradient for ${p.name}`);
        return tf.reshape(g, [-1]);
      });
      return gs.length === 1 ? tf.clone(gs[0]!) : tf.concat(gs);
    }) as tf.Tensor1D;
  }

  private applyWithNorm(flatGrad: tf.Tensor1D, lr: number, gradNorm: number): StepReport {
    this.count += 1;
    const spec = this.spec;
    tf.tidy(() => {
      let g: tf.Tensor = flatGrad;
      if (spec.clip > 0 && gradNorm > spec.clip) g = tf.mul(g, tf.scalar(spec.clip / gradNorm));
      const flatParams = this.flatParams();
      let step: tf.Tensor;
      if (spec.kind === 'adamw' && adamwFits([flatGrad, flatParams, ...(this.decayMask ? [this.decayMask] : [])])) {
        // one SIMD pass instead of the 13 elementwise ops below, bit for bit the same (wasm-adamw.ts)
        const m = this.flatSlots.get('m')!;
        const v = this.flatSlots.get('v')!;
        const [m1, v1, next] = simdAdamW(flatGrad, m, v, flatParams, this.decayMask, {
          gradScale: spec.clip > 0 && gradNorm > spec.clip ? spec.clip / gradNorm : 1,
          beta1: spec.b1,
          beta2: spec.b2,
          correction1: 1 - Math.pow(spec.b1, this.count),
          correction2: 1 - Math.pow(spec.b2, this.count),
          epsilon: ADAM_EPSILON,
          lr,
        });
        m.assign(m1);
        v.assign(v1);
        this.assignParams(next);
        return;
      }
      if (spec.kind === 'adamw') {
        const m = this.flatSlots.get('m')!;
        const v = this.flatSlots.get('v')!;
        const m1 = tf.add(tf.mul(m, spec.b1), tf.mul(g, 1 - spec.b1));
        const v1 = tf.add(tf.mul(v, spec.b2), tf.mul(tf.square(g), 1 - spec.b2));
        m.assign(m1);
        v.assign(v1);
        const mHat = tf.div(m1, 1 - Math.pow(spec.b1, this.count));
        const vHat = tf.div(v1, 1 - Math.pow(spec.b2, this.count));
        let update = tf.div(mHat, tf.add(tf.sqrt(vHat), ADAM_EPSILON));
        if (this.decayMask) update = tf.add(update, tf.mul(flatParams, this.decayMask));
        step = tf.mul(update, lr);
      } else {
        let u: tf.Tensor = g;
        if (spec.momentum !== 0) {
          const slot = this.flatSlots.get('momentum')!;
          u = tf.add(tf.mul(slot, spec.momentum), g);
          slot.assign(u);
        }
        step = tf.mul(u, lr);
      }
      // p ← p − step on the flat vector, then each parameter takes its slice.
      this.assignParams(tf.sub(flatParams, step));
    });
    flatGrad.dispose();
    return { gradNorm };
  }

  /** Each parameter takes its slice of the flat vector `next` (inside the caller's tidy). */
  private assignParams(next: tf.Tensor): void {
    this.params.forEach((p, i) => {
      const [offset, size] = this.ranges[i]!;
      p.variable.assign(tf.reshape(this.params.length === 1 ? next : tf.slice(next, [offset], [size]), p.variable.shape));
    });
  }

  /** The parameters, flattened and concatenated (inside the caller's tidy). */
  private flatParams(): tf.Tensor {
    const ps = this.params.map((p) => tf.reshape(p.variable, [-1]));
    return ps.length === 1 ? ps[0]! : tf.concat(ps);
  }

  dispose(): void {
    for (const s of this.flatSlots.values()) s.dispose();
    this.flatSlots.clear();
    this.decayMask?.dispose();
    this.decayMask = undefined;
  }
}

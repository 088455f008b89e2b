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

export class Optimizer {
  /** Updates taken so far (Adam's t). */
  count = 0;
  /** Slot tensors by `<slot>/<param name>`. */
  readonly slots = new Map<string, tf.Variable>();

  constructor(
    readonly spec: OptimizerSpec,
    private readonly params: readonly OptimizerParam[],
  ) {
    for (const p of params)
      for (const s of Optimizer.slotNames(spec)) this.slots.set(`${s}/${p.name}`, tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)));
  }

  /** The slot tensors kept per parameter (their names are `<slot>/<param>`). */
  static slotNames(spec: OptimizerSpec): readonly string[] {
    return spec.kind === 'adamw' ? ['m', 'v'] : spec.momentum !== 0 ? ['momentum'] : [];
  }

  /** Applies one update with learning rate `lr`; `grads` by parameter name. Disposes nothing it was given. */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): StepReport {
    const norm = this.globalNorm(grads);
    const gradNorm = norm.dataSync()[0]!;
    norm.dispose();
    return this.applyWithNorm(grads, lr, gradNorm);
  }

  /**
   * `apply` with an asynchronous read of the gradient norm: the same update, for
   * backends that cannot read synchronously (webgpu).
   */
  async applyAsync(grads: ReadonlyMap<string, tf.Tensor>, lr: number): Promise<StepReport> {
    const norm = this.globalNorm(grads);
    const gradNorm = (await norm.data())[0]!;
    norm.dispose();
    return this.applyWithNorm(grads, lr, gradNorm);
  }

  private gradients(grads: ReadonlyMap<string, tf.Tensor>): tf.Tensor[] {
    return this.params.map((p) => {
      const g = grads.get(p.name);
      if (!g) throw new Error(`internal: no gradient for ${p.name}`);
      return g;
    });
  }

  /** ‖g‖₂ over every gradient together (a scalar the caller disposes). */
  private globalNorm(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar {
    const gs = this.gradients(grads);
    return tf.tidy(() => tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
  }

  private applyWithNorm(grads: ReadonlyMap<string, tf.Tensor>, lr: number, gradNorm: number): StepReport {
    this.count += 1;
    tf.tidy(() => {
      const gs = this.gradients(grads);
      let scale: tf.Scalar | undefined;
      if (this.spec.clip > 0 && gradNorm > this.spec.clip) scale = tf.scalar(this.spec.clip / gradNorm);
      this.params.forEach((p, i) => {
        const g = scale ? tf.mul(gs[i]!, scale) : gs[i]!;
        this.update(p, g, lr);
      });
    });
    return { gradNorm };
  }

  private update(p: OptimizerParam, g: tf.Tensor, lr: number): void {
    const spec = this.spec;
    if (spec.kind === 'adamw') {
      const m = this.slots.get(`m/${p.name}`)!;
      const v = this.slots.get(`v/${p.name}`)!;
      const m1 = tf.add(tf.mul(m, spec.b1), tf.mul(g, 1 - spec.b1));
      const v1 = tf.add(tf.mul(v, spec.b2), tf.mul(tf.square(g), 1 - spec.b2));
      m.assign(m1);
      v.assign(v1);
      const mHat = tf.div(m1, 1 - Math.pow(spec.b1, this.count));
      const vHat = tf.div(v1, 1 - Math.pow(spec.b2, this.count));
      let update = tf.div(mHat, tf.add(tf.sqrt(vHat), ADAM_EPSILON));
      if (p.decay && spec.weightDecay !== 0) update = tf.add(update, tf.mul(p.variable, spec.weightDecay));
      p.variable.assign(tf.sub(p.variable, tf.mul(update, lr)));
    } else {
      let u: tf.Tensor = g;
      if (spec.momentum !== 0) {
        const slot = this.slots.get(`momentum/${p.name}`)!;
        u = tf.add(tf.mul(slot, spec.momentum), g);
        slot.assign(u);
      }
      p.variable.assign(tf.sub(p.variable, tf.mul(u, lr)));
    }
  }

  dispose(): void {
    for (const s of this.slots.values()) s.dispose();
    this.slots.clear();
  }
}

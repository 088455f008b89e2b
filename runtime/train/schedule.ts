// Learning-rate schedules (docs/training.md §Schedules). `step` is the 0-based index
// of the update being taken, `total` the run's number of updates, `base` the
// optimiser's lr. Warmup, where present, is linear: base·(step+1)/warmup for
// step < warmup.
import type { ScheduleSpec } from '../../compiler/model.ts';

export function learningRate(schedule: ScheduleSpec, base: number, step: number, total: number): number {
  const warmup = schedule.kind === 'constant' ? 0 : Math.max(0, schedule.warmup);
  if (step < warmup) return (base * (step + 1)) / warmup;
  const span = Math.max(1, total - warmup);
  const progress = Math.min(1, (step - warmup) / span);
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'cosine':
      return base * 0.5 * (1 + Math.cos(Math.PI * progress));
    case 'linear':
      return base + (schedule.end - base) * progress;
    case 'rsqrt': {
      const w = Math.max(1, warmup);
      let lr = base * Math.sqrt(w / Math.max(step, w));
      const cooldownStart = total - schedule.cooldown;
      if (schedule.cooldown > 0 && step >= cooldownStart) lr *= (total - step) / schedule.cooldown;
      return lr;
    }
  }
}

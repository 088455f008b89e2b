import { describe, expect, it } from 'vitest';
import { learningRate } from '../../runtime/train/schedule.ts';

// Hand-computed values; base lr 1.0 unless stated, total 100 steps.
describe('learning-rate schedules', () => {
  it('constant', () => {
    expect(learningRate({ kind: 'constant' }, 0.5, 0, 100)).toBe(0.5);
    expect(learningRate({ kind: 'constant' }, 0.5, 99, 100)).toBe(0.5);
  });
  it('cosine with warmup 10', () => {
    const s = { kind: 'cosine', warmup: 10 } as const;
    expect(learningRate(s, 1, 0, 100)).toBeCloseTo(0.1, 12); // (0+1)/10
    expect(learningRate(s, 1, 4, 100)).toBeCloseTo(0.5, 12);
    expect(learningRate(s, 1, 10, 100)).toBeCloseTo(1, 12); // progress 0
    expect(learningRate(s, 1, 55, 100)).toBeCloseTo(0.5, 12); // progress 45/90 = 0.5 → (1+cos(π/2))/2
    expect(learningRate(s, 1, 40, 100)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI / 3)), 12); // 30/90 → 0.75
  });
  it('cosine without warmup starts at the base rate', () => {
    expect(learningRate({ kind: 'cosine', warmup: 0 }, 2, 0, 100)).toBe(2);
  });
  it('linear(warmup 20, end 0.1)', () => {
    const s = { kind: 'linear', warmup: 20, end: 0.1 } as const;
    expect(learningRate(s, 1, 9, 100)).toBeCloseTo(0.5, 12);
    expect(learningRate(s, 1, 20, 100)).toBeCloseTo(1, 12);
    expect(learningRate(s, 1, 60, 100)).toBeCloseTo(1 + (0.1 - 1) * 0.5, 12); // 0.55
    expect(learningRate(s, 1, 100, 100)).toBeCloseTo(0.1, 12);
  });
  it('rsqrt(warmup 16, cooldown 20)', () => {
    const s = { kind: 'rsqrt', warmup: 16, cooldown: 20 } as const;
    expect(learningRate(s, 1, 7, 100)).toBeCloseTo(0.5, 12);
    expect(learningRate(s, 1, 16, 100)).toBeCloseTo(1, 12);
    expect(learningRate(s, 1, 64, 100)).toBeCloseTo(0.5, 12); // √(16/64)
    // cooldown from step 80: lr·(100−s)/20; at s = 90: √(16/90)·0.5
    expect(learningRate(s, 1, 90, 100)).toBeCloseTo(Math.sqrt(16 / 90) * 0.5, 12);
  });
});

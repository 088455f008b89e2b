import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainingClock, routerLabel, type StudyEntry } from '../../runtime/study/entry.ts';
import { accuracyChart, shortRouterName, studyMarkdown, type StudySettings } from '../../runtime/study/render.ts';
import { describeData, planStudy } from '../../runtime/study/study.ts';
import { compileText as compileSpecText } from '../support/compile-text.ts';
import { UserError } from '../../diagnostics/fault.ts';

const SETTINGS: StudySettings = { backend: 'wasm', data: 'mnist', steps: 10, batch: 8, seed: 0, machine: 'test', date: '2026-01-01' };

function entry(over: Partial<StudyEntry>): StudyEntry {
  return {
    file: 'a.moe',
    model: 'm',
    router: 'dense',
    status: 'completed',
    steps: 10,
    batch: 8,
    finalAccuracy: 0.5,
    trainSeconds: 2,
    imagesPerSecond: 40,
    params: 1234,
    forwardFlopsPerImage: 2.5e6,
    moeBlocks: 0,
    curve: [{ seconds: 2, step: 10, accuracy: 0.5 }],
    ...over,
  };
}

describe('TrainingClock', () => {
  it('excludes evaluation time from training time', () => {
    let now = 0;
    const clock = new TrainingClock(() => now);
    clock.start();
    now = 100;
    clock.stepDone(); // 100 ms of training
    now = 350;
    clock.excludeSinceLastStep(); // 250 ms of evaluation
    now = 400;
    clock.stepDone(); // 50 ms more training
    expect(clock.trainingSeconds()).toBeCloseTo(0.15, 10);
  });
});

describe('router labels', () => {
  it('names dense models, one router, or mixed', () => {
    const g = (blocks: string) => compileSpecText(`model m {\n image: 8x8x1, patch: 4, width: 8, depth: 2, heads: 2, mlp: 8, classes: 2\n ${blocks}\n}\n`).graph;
    expect(routerLabel(g(''))).toBe('dense');
    expect(routerLabel(g('blocks all: moe(soft(experts: 2))'))).toBe('soft_moe');
    expect(routerLabel(g('blocks 0: moe(soft(experts: 2))\n blocks 1: moe(expert_choice(experts: 2))'))).toBe('mixed');
    expect(shortRouterName('sparsity_constrained_expert_choice')).toBe('Sparsity EC');
  });
});

describe('study outputs', () => {
  it('writes one markdown row per model with its figures', () => {
    const md = studyMarkdown([entry({}), entry({ model: 's', router: 'soft_moe', status: 'diverged', reason: 'loss | NaN', finalAccuracy: undefined })], SETTINGS);
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| model') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toBe('| m | dense | 50.00 % | 2.0 s | 40.0 | 1,234 | 2.50 M | completed |');
    expect(rows[1]).toContain('diverged: loss \\| NaN');
    expect(rows[1]).toContain('| – |');
  });

  it('plots one series per router, in training seconds', () => {
    const chart = accuracyChart([entry({}), entry({ router: 'soft_moe', curve: [] }), entry({ router: 'soft_moe', curve: [{ seconds: 1, step: 5, accuracy: 0.2 }] })], SETTINGS);
    expect(chart.series.map((s) => s.name)).toEqual(['Dense', 'Soft MoE']);
    expect(chart.series[1]!.points).toEqual([[1, 0.2]]);
  });
});

describe('planStudy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moec-study-'));
  const spec = (name: string, data: string) => {
    const file = join(dir, `${name}.moe`);
    writeFileSync(file, `model ${name} {\n image: 28x28x1, patch: 7, width: 8, depth: 1, heads: 2, mlp: 8, classes: 10\n}\ntrain t_${name} {\n model: ${name}\n data: ${data}\n batch: 16\n steps: 3\n seed: 4\n}\n`);
    return file;
  };

  it('shares the first spec\'s steps, batch and seed, and lets flags override them', () => {
    const a = spec('a', 'mnist(train: 100, test: 50)');
    const b = spec('b', 'mnist(train: 100, test: 50)');
    const plan = planStudy({ files: [a, b], cwd: dir })!;
    expect([plan.steps, plan.batch, plan.seed]).toEqual([3, 16, 4]);
    expect(describeData(plan.specs[0]!.train)).toBe('mnist(train: 100, test: 50)');
    const overridden = planStudy({ files: [a, b], cwd: dir, steps: 7, seed: 1, batch: 4 })!;
    expect([overridden.steps, overridden.batch, overridden.seed]).toEqual([7, 4, 1]);
  });

  it('refuses specs on different data, naming both', () => {
    const a = spec('c', 'mnist(train: 100, test: 50)');
    const b = spec('d', 'fashion_mnist(train: 100, test: 50)');
    expect(() => planStudy({ files: [a, b], cwd: dir })).toThrow(UserError);
    expect(() => planStudy({ files: [a, b], cwd: dir })).toThrow(/same data.*fashion_mnist/);
  });

  it('reports a spec with errors through onDiagnostics and returns no plan', () => {
    const bad = join(dir, 'bad.moe');
    writeFileSync(bad, 'model bad {\n image: 28x28x1\n patch: 5\n}\n');
    const seen: number[] = [];
    expect(planStudy({ files: [bad], cwd: dir, onDiagnostics: (d) => seen.push(d.length) })).toBeUndefined();
    expect(seen[0]).toBeGreaterThan(0);
  });
});

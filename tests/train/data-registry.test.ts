// The data set registry (runtime/data/registry.ts): one signature table the checker
// reads as plain data, one loader per signature, and data specs compared by what
// they load, not by their JSON.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_FUNCTIONS } from '../../compiler/check/schema.ts';
import { DATASETS, UNSIGNED_LOADERS } from '../../runtime/data/registry.ts';
import { DATASET_SIGNATURES, dataIdentity, formatData } from '../../runtime/data/signatures.ts';
import { loadDataset } from '../../runtime/data/index.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';
import { modelOf } from '../compiler/harness.ts';
import { check, codes } from '../compiler/harness.ts';

const root = join(import.meta.dirname, '..', '..');

describe('data set registry', () => {
  it('has a loader for every signature and a signature for every loader', () => {
    expect(Object.keys(DATASETS).sort()).toEqual(Object.keys(DATASET_SIGNATURES).sort());
    expect(UNSIGNED_LOADERS).toEqual([]);
    for (const [name, d] of Object.entries(DATASETS)) {
      expect(d.name).toBe(name);
      for (const p of d.signature.paths) expect(Object.keys(d.signature.args), `${name}.${p}`).toContain(p);
    }
  });

  it('is what the checker types `data` against, read as plain data (no data code, no tfjs)', () => {
    expect(DATA_FUNCTIONS).toEqual(Object.fromEntries(Object.entries(DATASET_SIGNATURES).map(([n, s]) => [n, s.args])));
    const source = readFileSync(join(root, 'runtime/data/signatures.ts'), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.every((i) => i === '../../compiler/check/types.ts')).toBe(true);
    expect(codes(check('train t { data: mnist(train: 10, tests: 5) }\nmodel m { image: 28x28x1, patch: 7, width: 8, depth: 1, heads: 1, mlp: 8, classes: 10 }\n').diagnostics)).toEqual(['MOE0236']);
  });

  it('builds `data` as {kind, args} with every argument defaulted, and prints it back', () => {
    const text = 'model m { image: 28x28x1, patch: 7, width: 8, depth: 1, heads: 1, mlp: 8, classes: 10 }\ntrain t { data: fashion_mnist(test: 5) }\n';
    const p = check(text);
    expect(p.diagnostics).toEqual([]);
    expect(modelOf(text).name).toBe('m');
    const train = [...p.trains.values()][0]!;
    expect(train.data).toEqual({ kind: 'fashion_mnist', args: { train: 8000, test: 5 } });
    expect(formatData(train.data)).toBe('fashion_mnist(train: 8000, test: 5)');
    expect(formatData({ kind: 'folder', args: { train: 'a b/t', test: 'x' } })).toBe('folder(train: "a b/t", test: "x")');
  });

  it('loads through the registry, and refuses a hand-built spec that does not fit it (MOE0340)', async () => {
    const data = await loadDataset({ kind: 'mnist', args: { train: 20, test: 10 } }, { shape: [28, 28, 1], classes: 10, baseDir: '.' });
    expect([data.train.count, data.test.count]).toEqual([20, 10]);
    const fault = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    const unknown = await fault(loadDataset({ kind: 'imagenet', args: {} }, { shape: [28, 28, 1], classes: 10, baseDir: '.' }));
    expect(unknown).toBeInstanceOf(RuntimeFault);
    expect((unknown as RuntimeFault).code).toBe('MOE0340');
    const missing = await fault(loadDataset({ kind: 'idx', args: {} }, { shape: [28, 28, 1], classes: 10, baseDir: '.' }));
    expect((missing as RuntimeFault).code).toBe('MOE0340');
    expect((missing as Error).message).toContain('dir');
  });

  it('compares data specs by what they load: paths resolved against each spec’s folder, argument order ignored', () => {
    const folderSpec = (train: string, test: string) => ({ kind: 'folder', args: { train, test } });
    expect(dataIdentity(folderSpec('d/train', 'd/test'), '/a', resolve)).not.toBe(dataIdentity(folderSpec('d/train', 'd/test'), '/b', resolve));
    expect(dataIdentity(folderSpec('d/train', 'd/test'), '/a', resolve)).toBe(dataIdentity(folderSpec('/a/d/train', '../a/d/test'), '/a', resolve));
    expect(dataIdentity({ kind: 'mnist', args: { train: 1, test: 2 } }, '/a', resolve)).toBe(dataIdentity({ kind: 'mnist', args: { test: 2, train: 1 } }, '/b', resolve));
    expect(dataIdentity({ kind: 'mnist', args: { train: 1, test: 2 } }, '/a', resolve)).not.toBe(dataIdentity({ kind: 'fashion_mnist', args: { train: 1, test: 2 } }, '/a', resolve));
  });
});

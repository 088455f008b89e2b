import { describe, expect, it } from 'vitest';
import { check, codes, renderFixture } from '../harness.ts';

const model = (classes: number) => `model m {\n image: 28x28x1, patch: 7, width: 16, depth: 1, heads: 2, mlp: 32, classes: ${classes}\n}\n`;

describe('data-classes', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/data-classes.moe')).toMatchFileSnapshot('../../fixtures/check/data-classes.expected');
  });
  it('accepts at least as many model classes as the dataset has', () => {
    expect(codes(check(`${model(10)}train t { model: m\n data: fashion_mnist(train: 10, test: 10)\n steps: 1 }`).diagnostics)).toEqual([]);
    expect(codes(check(`${model(12)}train t { model: m\n data: mnist(train: 10, test: 10)\n steps: 1 }`).diagnostics)).toEqual([]);
  });
  it('leaves folder and idx data, whose classes are known only from the files, to the loader', () => {
    expect(codes(check(`${model(2)}train t { model: m\n data: folder(train: "a", test: "b")\n steps: 1 }`).diagnostics)).toEqual([]);
    expect(codes(check(`${model(2)}train t { model: m\n data: idx(dir: "d")\n steps: 1 }`).diagnostics)).toEqual([]);
  });
  it('points at the train block when the data is the default', () => {
    const d = check(`${model(3)}train t { model: m\n steps: 1 }`).diagnostics;
    expect(codes(d)).toEqual(['MOE0322']);
    expect(d[0]!.span!.start.line).toBe(4);
  });
});

import { describe, expect, it } from 'vitest';
import { check, codes, renderFixture } from '../harness.ts';

const spec = (image: string, data: string) =>
  `model m {\n image: ${image}, patch: 4, width: 16, depth: 1, heads: 2, mlp: 32, classes: 10\n}\ntrain t { model: m\n data: ${data}\n steps: 1 }\n`;

describe('data-image', () => {
  it('renders its fixture as in the golden file', async () => {
    await expect(renderFixture('tests/fixtures/check/data-image.moe')).toMatchFileSnapshot('../../fixtures/check/data-image.expected');
  });
  it('lets greyscale feed a colour model and any size be resized', () => {
    expect(codes(check(spec('32x32x3', 'mnist(train: 10, test: 10)')).diagnostics)).toEqual([]);
    expect(codes(check(spec('16x16x3', 'cifar10(dir: "c")')).diagnostics)).toEqual([]);
    expect(codes(check(spec('16x16x1', 'fashion_mnist(train: 10, test: 10)')).diagnostics)).toEqual([]);
  });
  it('refuses colour data for a greyscale model and odd channel counts for any data', () => {
    expect(codes(check(spec('32x32x1', 'cifar10(dir: "c")')).diagnostics)).toEqual(['MOE0323']);
    expect(codes(check(spec('32x32x4', 'folder(train: "a", test: "b")')).diagnostics)).toEqual(['MOE0323']);
  });
});

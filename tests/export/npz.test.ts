// The .npz reader/writer: numpy's format both ways (the fixture was written by
// numpy.savez, with its forced zip64 entries), and every refusal of an untrusted file.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { zipSync, strToU8 } from 'fflate';
import { readNpz, unsafeNameReason, writeNpz } from '../../export/npz/npz.ts';
import { codedMessage } from '../support/fault.ts';
import { decodeNpy, encodeNpy } from '../../export/npz/npy.ts';

const FIXTURE = 'tests/fixtures/vmoe/numpy-savez.npz';

function npy(header: string, data: Uint8Array = new Uint8Array(0), version = 1): Uint8Array {
  const pad = ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64);
  const h = header + pad + '\n';
  const out = new Uint8Array(10 + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  new DataView(out.buffer).setUint16(8, h.length, true);
  out.set(strToU8(h), 10);
  out.set(data, 10 + h.length);
  return out;
}

const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

describe('.npy', () => {
  it('writes numpy version-1.0 headers padded to 64 bytes', () => {
    const bytes = encodeNpy({ shape: [2, 3], data: new Float32Array(6) });
    const headerLength = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLength) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength)).trim()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    expect(bytes.length).toBe(10 + headerLength + 24);
  });

  it('round-trips scalars, vectors and matrices bit for bit', () => {
    for (const shape of [[], [1], [3], [2, 2, 2]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, (_, i) => (i - 1.5) / 7);
      const back = decodeNpy(encodeNpy({ shape, data }), 'x');
      expect(back.shape).toEqual(shape);
      expect(back.data).toEqual(data);
    }
  });

  it('refuses object (pickled) arrays, other dtypes and Fortran order before reading data', () => {
    expect(codedMessage(() => decodeNpy(npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"), 'a'))).toMatch(/MOE0625.*object array/);
    expect(codedMessage(() => decodeNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), 'a'))).toMatch(/MOE0625.*'<f8'/);
    expect(codedMessage(() => decodeNpy(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", f32(1)), 'a'))).toMatch(/MOE0625/);
    expect(codedMessage(() => decodeNpy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", f32(1)), 'a'))).toMatch(/MOE0625.*Fortran/);
  });

  it('checks the byte count against the header and the expected shape', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
    expect(codedMessage(() => decodeNpy(npy(header, f32(1, 2, 3)), 'a'))).toMatch(/MOE0626.*needs 16 bytes.*holds 12/);
    expect(codedMessage(() => decodeNpy(npy(header, f32(1, 2, 3, 4, 5)), 'a'))).toMatch(/MOE0626/);
    expect(codedMessage(() => decodeNpy(npy(header, f32(1, 2, 3, 4)), 'a', [4]))).toMatch(/MOE0633.*\[2, 2\] in the file, \[4\] expected/);
    // A header claiming a huge shape is refused by the byte count, before any allocation.
    expect(codedMessage(() => decodeNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", f32(1)), 'a'))).toMatch(/MOE0626/);
  });

  it('refuses bad headers: magic, version, dictionary', () => {
    expect(codedMessage(() => decodeNpy(strToU8('PK not npy at all'), 'a'))).toMatch(/MOE0624.*magic/);
    expect(codedMessage(() => decodeNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", f32(1), 9), 'a'))).toMatch(/MOE0624.*version 9/);
    expect(codedMessage(() => decodeNpy(npy("{'descr': '<f4', 'shape': (1,), }", f32(1)), 'a'))).toMatch(/MOE0624.*fortran_order/);
    expect(codedMessage(() => decodeNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), '__import__': 'os'}", f32(1)), 'a'))).toMatch(/MOE0624/);
    expect(codedMessage(() => decodeNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", f32(1)), 'a'))).toMatch(/MOE0624/);
  });
});

describe('.npz', () => {
  it('reads a file written by numpy.savez (zip64 entries)', () => {
    const { arrays, unexpected } = readNpz(readFileSync(FIXTURE), { file: FIXTURE });
    expect(unexpected).toEqual([]);
    expect(arrays.get('Encoder/encoderblock_0/Mlp/Dense_0/kernel')).toEqual({ shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) });
    expect(arrays.get('scalar')).toEqual({ shape: [], data: Float32Array.from([3.5]) });
  });

  it('writes what it reads, deterministically and with sorted names', () => {
    const a = { shape: [2], data: Float32Array.from([1, -2]) };
    const b = { shape: [1, 1], data: Float32Array.from([Math.PI]) };
    const bytes = writeNpz([['z/b', b], ['a', a]]);
    expect(writeNpz([['a', a], ['z/b', b]])).toEqual(bytes);
    const back = readNpz(bytes);
    expect([...back.arrays.keys()]).toEqual(['a', 'z/b']);
    expect(back.arrays.get('z/b')!.data[0]).toBe(Math.fround(Math.PI));
  });

  it('refuses names with path components', () => {
    for (const name of ['../evil', '/abs', 'a/../b', 'a//b', 'C:/x', 'a\\b', 'a/./b', '']) expect(unsafeNameReason(name), name).toBeDefined();
    expect(unsafeNameReason('Encoder/encoderblock_0/Moe/Mlp/Dense_0/kernel')).toBeUndefined();
    const evil = zipSync({ '../../etc/passwd.npy': encodeNpy({ shape: [1], data: new Float32Array(1) }) });
    expect(codedMessage(() => readNpz(evil, { file: 'x.npz' }))).toMatch(/MOE0622.*'\.\.\/\.\.\/etc\/passwd\.npy'.*refused/);
    const notNpy = zipSync({ 'readme.txt': strToU8('hello') });
    expect(codedMessage(() => readNpz(notNpy))).toMatch(/MOE0622.*not a \.npy/);
  });

  it('refuses a zip bomb by its declared sizes, before decompressing', () => {
    // 80 MiB of zeros deflate to a few KiB.
    const bomb = zipSync({ 'a.npy': [new Uint8Array(80 * 2 ** 20), { level: 9 }] });
    expect(bomb.length).toBeLessThan(1 << 20);
    expect(codedMessage(() => readNpz(bomb, { limits: { maxEntryBytes: 1 << 20 } }))).toMatch(/MOE0623.*declares 83886080 bytes.*refused/);
    expect(codedMessage(() => readNpz(bomb, { shapeOf: () => [2] }))).toMatch(/MOE0623/);
    const many = zipSync(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`a${i}.npy`, encodeNpy({ shape: [1], data: new Float32Array(1) })])));
    expect(codedMessage(() => readNpz(many, { limits: { maxEntries: 4 } }))).toMatch(/MOE0623.*more than 4 entries/);
    expect(codedMessage(() => readNpz(many, { limits: { maxTotalBytes: 200 } }))).toMatch(/MOE0623.*in total/);
  });

  it('lists names the caller does not expect without decompressing them', () => {
    const bytes = writeNpz([
      ['keep', { shape: [1], data: new Float32Array(1) }],
      ['other', { shape: [2], data: new Float32Array(2) }],
    ]);
    const r = readNpz(bytes, { shapeOf: (n) => (n === 'keep' ? [1] : undefined) });
    expect([...r.arrays.keys()]).toEqual(['keep']);
    expect(r.unexpected).toEqual(['other']);
  });

  it('refuses truncated, empty and non-zip files with MOE0621', () => {
    const good = writeNpz([['a', { shape: [4], data: new Float32Array(4) }]]);
    expect(codedMessage(() => readNpz(good.subarray(0, good.length - 30), { file: 'cut.npz' }))).toMatch(/MOE0621.*cut\.npz/);
    expect(codedMessage(() => readNpz(new Uint8Array(0)))).toMatch(/MOE0621/);
    expect(codedMessage(() => readNpz(strToU8('{"not": "a zip"}'.repeat(10))))).toMatch(/MOE0621/);
  });
});

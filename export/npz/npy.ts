// The .npy format (numpy's NEP 1) for little-endian float32 arrays: writing
// version 1.0 headers, and reading versions 1–3 without trusting the bytes.
// A header is a Python dict literal; it is parsed by a strict grammar of the
// three keys numpy writes, never evaluated. Object (pickled) arrays, other
// dtypes and Fortran order are refused; the data length must equal the shape's.
import { RuntimeFault } from '../../runtime/train/fault.ts';

export interface NpyArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface NpyHeader {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Byte offset of the data within the entry. */
  readonly dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Longest header dictionary accepted (numpy itself refuses headers over 10 000 bytes by default). */
export const MAX_HEADER_BYTES = 65536;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Encodes one float32 array as a version 1.0 .npy entry (header padded to 64 bytes, as numpy does). */
export function encodeNpy(array: NpyArray): Uint8Array {
  const count = elementCount(array.shape);
  if (count !== array.data.length) throw new Error(`internal: shape [${array.shape.join(', ')}] holds ${count} values, the data ${array.data.length}`);
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText(array.shape)}, }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const padding = (64 - (unpadded % 64)) % 64;
  const header = dict + ' '.repeat(padding) + '\n';
  const out = new Uint8Array(MAGIC.length + 4 + header.length + count * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, 10 + header.length);
  if (LITTLE_ENDIAN_HOST) out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, count * 4), 10 + header.length);
  else for (let i = 0; i < count; i++) body.setFloat32(i * 4, array.data[i]!, true);
  return out;
}

/** Parses the header of a .npy entry. `where` names the entry in messages. */
export function readNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new RuntimeFault('MOE0624', `${where}: not a .npy array (bad magic bytes)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let start: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new RuntimeFault('MOE0624', `${where}: truncated .npy header`);
    headerLength = view.getUint32(8, true);
    start = 12;
  } else throw new RuntimeFault('MOE0624', `${where}: .npy format version ${major}.${bytes[7]} is not supported (1.0–3.0 are)`);
  if (headerLength > MAX_HEADER_BYTES) throw new RuntimeFault('MOE0624', `${where}: .npy header of ${headerLength} bytes is larger than the ${MAX_HEADER_BYTES} accepted`);
  if (start + headerLength > bytes.length) throw new RuntimeFault('MOE0624', `${where}: truncated .npy header`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  return { ...parseHeaderDict(text, where), dataOffset: start + headerLength };
}

const KEY = /^\s*'(descr|fortran_order|shape)'\s*:\s*/;

/** The header dict: exactly the keys descr (a string), fortran_order (True/False) and shape (a tuple of integers). */
function parseHeaderDict(text: string, where: string): Omit<NpyHeader, 'dataOffset'> {
  const bad = (why: string) => new RuntimeFault('MOE0624', `${where}: bad .npy header (${why})`);
  let rest = text.trim();
  if (!rest.startsWith('{') || !rest.endsWith('}')) throw bad('not a dictionary');
  rest = rest.slice(1, -1);
  const fields: Record<string, string | boolean | number[]> = {};
  while (rest.trim().length > 0) {
    const key = KEY.exec(rest);
    if (!key) throw bad(`unexpected text '${rest.trim().slice(0, 30)}'`);
    const name = key[1]!;
    if (name in fields) throw bad(`key '${name}' given twice`);
    rest = rest.slice(key[0].length);
    let m: RegExpExecArray | null;
    if ((m = /^'([^'\\]{0,64})'/.exec(rest))) fields[name] = m[1]!;
    else if ((m = /^(True|False)/.exec(rest))) fields[name] = m[1] === 'True';
    else if ((m = /^\(\s*((?:\d{1,15}\s*,\s*)*(?:\d{1,15})?)\s*,?\s*\)/.exec(rest)))
      fields[name] = m[1]!.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
    else throw bad(`unreadable value of '${name}'`);
    rest = rest.slice(m[0].length).replace(/^\s*,/, '');
  }
  const { descr, fortran_order: fortranOrder, shape } = fields;
  if (typeof descr !== 'string') throw bad("no string 'descr'");
  if (typeof fortranOrder !== 'boolean') throw bad("no 'fortran_order'");
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d))) throw bad("no integer tuple 'shape'");
  return { descr, fortranOrder, shape };
}

/** Refuses what moec does not load; `where` names the entry. */
export function checkLoadable(header: NpyHeader, where: string): void {
  if (header.descr.includes('O')) throw new RuntimeFault('MOE0625', `${where}: object array (pickled Python objects): never loaded`, 'save the parameters as float32 arrays');
  if (header.descr !== '<f4')
    throw new RuntimeFault('MOE0625', `${where}: dtype '${header.descr}' is not little-endian float32 ('<f4')`, 'convert the arrays with numpy: np.savez(out, **{k: v.astype(np.float32) for k, v in arrays.items()})');
  if (header.fortranOrder) throw new RuntimeFault('MOE0625', `${where}: Fortran-ordered array`, 'save it in C order (np.ascontiguousarray)');
}

/**
 * Decodes a .npy entry after every check: header, dtype, the data length
 * against the shape, and (when given) the shape against `expected` — all before
 * the array is allocated.
 */
export function decodeNpy(bytes: Uint8Array, where: string, expected?: readonly number[]): NpyArray {
  const header = readNpyHeader(bytes, where);
  checkLoadable(header, where);
  if (expected && (expected.length !== header.shape.length || expected.some((d, i) => d !== header.shape[i])))
    throw new RuntimeFault('MOE0633', `${where}: shape [${header.shape.join(', ')}] in the file, [${expected.join(', ')}] expected`);
  const count = elementCount(header.shape);
  const available = bytes.length - header.dataOffset;
  if (count * 4 !== available)
    throw new RuntimeFault('MOE0626', `${where}: the header's shape [${header.shape.join(', ')}] needs ${count * 4} bytes of data, the entry holds ${available}`);
  const data = new Float32Array(count);
  if (LITTLE_ENDIAN_HOST) new Uint8Array(data.buffer).set(bytes.subarray(header.dataOffset));
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, count * 4);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
  }
  return { shape: [...header.shape], data };
}

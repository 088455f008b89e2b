// .npz archives (numpy's np.savez: a zip of `<name>.npy` entries, stored
// uncompressed) through fflate. Writing is deterministic (fixed entry times,
// sorted names). Reading never trusts the file: names are validated, declared
// sizes bounded before anything is decompressed (zip bombs), every array goes
// through the checks of npy.ts, and names the caller does not expect are listed,
// not decompressed.
import { readFileSync } from 'node:fs';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { RuntimeFault } from '../../runtime/train/fault.ts';
import { decodeNpy, encodeNpy, elementCount, MAX_HEADER_BYTES, type NpyArray } from './npy.ts';

export interface NpzLimits {
  /** Most entries accepted. */
  readonly maxEntries: number;
  /** Largest decompressed entry, bytes. */
  readonly maxEntryBytes: number;
  /** Largest sum of decompressed entries, bytes. */
  readonly maxTotalBytes: number;
}

/** Defaults: generous for ViT-H/MoE checkpoints, far below what would exhaust memory by surprise. */
export const DEFAULT_NPZ_LIMITS: NpzLimits = { maxEntries: 100_000, maxEntryBytes: 2 ** 31 - 1, maxTotalBytes: 16 * 2 ** 30 };

export interface ReadNpzOptions {
  /** The file's name in messages. */
  readonly file?: string;
  /**
   * The expected shape of each array name (without `.npy`). When given, an
   * entry it returns undefined for is not decompressed but reported in `unexpected`,
   * and an entry's declared size must fit its expected shape.
   */
  readonly shapeOf?: (name: string) => readonly number[] | undefined;
  readonly limits?: Partial<NpzLimits>;
}

export interface NpzContents {
  readonly arrays: ReadonlyMap<string, NpyArray>;
  /** Names present in the file that `shapeOf` did not expect (not loaded). */
  readonly unexpected: readonly string[];
}

/** Entry names are `/`-joined parameter paths; nothing that could mean a place on disk. */
export function unsafeNameReason(name: string): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.length > 4096) return 'name longer than 4096 characters';
  if (/[\u0000-\u001f\\]/.test(name)) return 'a control character or backslash';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  const parts = name.split('/');
  if (parts.some((p) => p === '..' || p === '.')) return "a '.' or '..' path component";
  if (parts.some((p) => p === '')) return 'an empty path component';
  return undefined;
}

/** Writes arrays (name → shape and data) as a .npz archive, names sorted. */
export function writeNpz(arrays: Iterable<readonly [string, NpyArray]>): Uint8Array {
  const entries: Zippable = {};
  const mtime = new Date(1980, 0, 2);
  const names = new Set<string>();
  for (const [name, array] of [...arrays].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const why = unsafeNameReason(name);
    if (why) throw new Error(`internal: array name '${name}' has ${why}`);
    if (names.has(name)) throw new Error(`internal: array name '${name}' given twice`);
    names.add(name);
    entries[`${name}.npy`] = [encodeNpy(array), { level: 0, mtime }];
  }
  return zipSync(entries, { level: 0, mtime });
}

/** Bytes an expected entry may declare regardless of its expected shape (to report a wrong shape in full). */
const MISSHAPE_ALLOWANCE = 64 * 2 ** 20;

function limitsOf(options: ReadNpzOptions): NpzLimits {
  return { ...DEFAULT_NPZ_LIMITS, ...options.limits };
}

/** Reads a .npz archive held in memory. Throws a RuntimeFault (MOE062x/063x) on anything suspicious. */
export function readNpz(bytes: Uint8Array, options: ReadNpzOptions = {}): NpzContents {
  const file = options.file ?? '<npz>';
  const limits = limitsOf(options);
  const seen = new Set<string>();
  const expectedOf = new Map<string, readonly number[]>();
  const unexpected: string[] = [];
  let entries = 0;
  let total = 0;
  let raw: Record<string, Uint8Array>;
  try {
    raw = unzipSync(bytes, {
      filter: (entry) => {
        if (++entries > limits.maxEntries) throw new RuntimeFault('MOE0623', `${file}: more than ${limits.maxEntries} entries`);
        const why = unsafeNameReason(entry.name);
        if (why) throw new RuntimeFault('MOE0622', `${file}: entry '${entry.name.slice(0, 200)}' has ${why}: refused`);
        if (!entry.name.endsWith('.npy')) throw new RuntimeFault('MOE0622', `${file}: entry '${entry.name}' is not a .npy array`);
        const name = entry.name.slice(0, -4);
        if (seen.has(name)) throw new RuntimeFault('MOE0627', `${file}: array '${name}' appears twice`);
        seen.add(name);
        if (entry.compression !== 0 && entry.compression !== 8)
          throw new RuntimeFault('MOE0621', `${file}: entry '${entry.name}' uses zip compression method ${entry.compression} (stored and deflate are supported)`);
        const expected = options.shapeOf?.(name);
        if (expected) expectedOf.set(name, expected);
        if (options.shapeOf && !expected) {
          unexpected.push(name);
          return false;
        }
        // An expected array may be decompressed a little beyond its size, so that a mis-shaped one is reported with its shape.
        const ceiling = expected ? Math.max(elementCount(expected) * 4 + 12 + MAX_HEADER_BYTES, MISSHAPE_ALLOWANCE) : limits.maxEntryBytes;
        if (entry.originalSize > Math.min(ceiling, limits.maxEntryBytes))
          throw new RuntimeFault(
            'MOE0623',
            `${file}: entry '${entry.name}' declares ${entry.originalSize} bytes, more than ${expected ? `its expected shape [${expected.join(', ')}] needs` : `the limit of ${limits.maxEntryBytes}`}: refused`,
          );
        total += entry.originalSize;
        if (total > limits.maxTotalBytes) throw new RuntimeFault('MOE0623', `${file}: the entries declare more than ${limits.maxTotalBytes} bytes in total: refused`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof RuntimeFault) throw e;
    throw new RuntimeFault('MOE0621', `${file}: not a readable .npz (zip) file: ${(e as Error).message}`, 'write it with numpy.savez or moec export');
  }
  const arrays = new Map<string, NpyArray>();
  for (const [entryName, data] of Object.entries(raw)) {
    const name = entryName.slice(0, -4);
    arrays.set(name, decodeNpy(data, `${file}: array '${name}'`, expectedOf.get(name)));
  }
  return { arrays, unexpected };
}

/** Reads a .npz file from disk. */
export function readNpzFile(path: string, options: Omit<ReadNpzOptions, 'file'> & { readonly file?: string } = {}): NpzContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new RuntimeFault('MOE0621', `${options.file ?? path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return readNpz(bytes, { ...options, file: options.file ?? path });
}

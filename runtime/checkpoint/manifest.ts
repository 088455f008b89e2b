// The checkpoint manifest: its types, its JSON Schema (checked with ajv before any
// field is read), and its own SHA-256. Format 2 adds `manifestSha256` (over the
// canonical JSON of every other field, so an edit to the tensor table or the
// training state is caught like a flipped byte in tensors.bin) and `graphSha256`
// (of the run's graph.json). Format 1 manifests (no own hash) still load: the
// layout checks in layout.ts then catch swapped offsets and impossible sizes.
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject } from 'ajv';
import { RuntimeFault } from '../train/fault.ts';

export const CHECKPOINT_FORMAT = 'moec-checkpoint/2';
export const CHECKPOINT_FORMAT_1 = 'moec-checkpoint/1';

export interface TensorRecord {
  readonly name: string;
  /** `param` (model weights) or `optimizer` (slot tensors). */
  readonly group: 'param' | 'optimizer';
  readonly shape: readonly number[];
  /** Byte offset in tensors.bin. */
  readonly offset: number;
  /** Element count (float32). */
  readonly length: number;
}

export interface TrainingState {
  /** Updates completed. */
  readonly step: number;
  readonly epoch: number;
  /** Batches of the current epoch already consumed. */
  readonly batchInEpoch: number;
  readonly batch: number;
  readonly seed: number;
  readonly optimizer: { readonly kind: string; readonly count: number };
  /** Every random stream is stateless: a hash of (seed, stream, step or epoch). */
  readonly randomStreams: Readonly<Record<string, string>>;
  /** Total steps of the run that wrote it (for the schedule). */
  readonly totalSteps: number;
  readonly model: string;
  /** Class names of the training data, index = label (for predict). */
  readonly classes?: readonly string[];
}

export interface Manifest {
  readonly format: typeof CHECKPOINT_FORMAT | typeof CHECKPOINT_FORMAT_1;
  /** SHA-256 of tensors.bin. */
  readonly sha256: string;
  readonly bytes: number;
  /** SHA-256 of the run's graph.json when the checkpoint was written (format 2; null outside a run folder). */
  readonly graphSha256?: string | null;
  readonly tensors: readonly TensorRecord[];
  readonly state: TrainingState;
  readonly createdAt: string;
  /** SHA-256 of the canonical JSON of every other field (format 2). */
  readonly manifestSha256?: string;
}

/** Steps beyond this are not a real run (and lose integer precision in float arithmetic long before 2^53). */
export const MAX_STEP = 1e9;
const HEX64 = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const COUNT = { type: 'integer', minimum: 0, maximum: MAX_STEP };
const SAFE_BYTES = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };

const TENSOR = {
  type: 'object',
  required: ['name', 'group', 'shape', 'offset', 'length'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 1000 },
    group: { enum: ['param', 'optimizer'] },
    shape: { type: 'array', maxItems: 8, items: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 } },
    offset: SAFE_BYTES,
    length: SAFE_BYTES,
  },
};

const STATE = {
  type: 'object',
  required: ['step', 'epoch', 'batchInEpoch', 'batch', 'seed', 'optimizer', 'totalSteps', 'model'],
  properties: {
    step: COUNT,
    epoch: COUNT,
    batchInEpoch: COUNT,
    batch: { type: 'integer', minimum: 1, maximum: MAX_STEP },
    seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    optimizer: {
      type: 'object',
      required: ['kind', 'count'],
      properties: { kind: { type: 'string', minLength: 1 }, count: COUNT },
    },
    randomStreams: { type: 'object', additionalProperties: { type: 'string' } },
    totalSteps: { type: 'integer', minimum: 1, maximum: MAX_STEP },
    model: { type: 'string' },
    classes: { type: 'array', items: { type: 'string' } },
  },
};

export const MANIFEST_SCHEMA = {
  $id: 'https://moec.dev/schemas/moec-checkpoint-2.json',
  title: 'moec checkpoint manifest',
  type: 'object',
  required: ['format', 'sha256', 'bytes', 'tensors', 'state'],
  properties: {
    format: { enum: [CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_1] },
    sha256: HEX64,
    bytes: SAFE_BYTES,
    graphSha256: { anyOf: [HEX64, { type: 'null' }] },
    tensors: { type: 'array', maxItems: 1_000_000, items: TENSOR },
    state: STATE,
    createdAt: { type: 'string' },
    manifestSha256: HEX64,
  },
  if: { properties: { format: { const: CHECKPOINT_FORMAT } } },
  then: { required: ['manifestSha256', 'graphSha256', 'createdAt'] },
};

let compiled: ReturnType<Ajv['compile']> | undefined;
function validator() {
  return (compiled ??= new Ajv({ allErrors: false, strict: false }).compile(MANIFEST_SCHEMA));
}

/** `tensors[3].shape[1]` from a JSON pointer. */
function jsonPath(pointer: string): string {
  if (pointer === '') return '(root)';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), '');
}

function explain(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `is missing '${p.missingProperty}'`;
  if (e.keyword === 'additionalProperties') return `has an unknown property '${p.additionalProperty}'`;
  if (e.keyword === 'enum') return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${e.message ?? e.keyword}${e.data === undefined ? '' : ` (found ${JSON.stringify(e.data)?.slice(0, 40)})`}`;
}

/** The name of the tensor a schema error is about, when it is about one. */
function tensorOf(json: unknown, pointer: string): string | undefined {
  const m = /^\/tensors\/(\d+)/.exec(pointer);
  if (!m) return undefined;
  const t = (json as { tensors?: unknown[] }).tensors?.[Number(m[1])] as { name?: unknown } | null | undefined;
  return t && typeof t.name === 'string' ? t.name : undefined;
}

/** Schema-checks a parsed manifest; a failure is MOE0531 naming the field (and the tensor). */
export function validateManifest(json: unknown, file: string): Manifest {
  const validate = validator();
  if (validate(json)) return json as Manifest;
  const e = (validate.errors ?? []).find((x) => x.keyword !== 'if')!;
  const tensor = tensorOf(json, e.instancePath);
  throw new RuntimeFault(
    'MOE0531',
    `${file}: ${jsonPath(e.instancePath)}${tensor ? ` (tensor '${tensor}')` : ''} ${explain(e)}: not a valid checkpoint manifest`,
    'the manifest was edited or damaged; use another checkpoint of the run',
  );
}

/** JSON with object keys sorted, so the hash does not depend on key order. The manifest's depth is fixed by the schema. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The manifest's own SHA-256: every field but `manifestSha256`. */
export function manifestHash(m: Omit<Manifest, 'manifestSha256'> & { manifestSha256?: string }): string {
  const { manifestSha256: _ignored, ...rest } = m;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

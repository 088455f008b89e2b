// The JSON Schema (ajv, draft 2020-12 subset) of the op graph in ir.ts (format
// `moec-graph/2`, and `moec-graph/1`, which is read and upgraded), with each op's
// arity and attributes taken from the OPS table, plus the checks a schema cannot
// express (ids unique, inputs defined earlier, params declared, outputs exist) and
// the re-inference of every node's shape, dtype and FLOPs (validate.ts). Errors
// name the JSON path and, given the file text, its line:col.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../diagnostics/catalogue.ts';
import { didYouMean } from '../../diagnostics/suggest.ts';
import type { Graph } from './ir.ts';
import { GRAPH_FORMAT, ROUTING_STATS } from './ir.ts';
import { GRAPH_FORMAT_V1, upgradeGraphV1, type GraphV1 } from './upgrade.ts';
import { inferenceChecks } from './validate.ts';
import { OPS, OP_KINDS } from './ops.ts';
import { ROUTER_FAMILIES } from '../routers/index.ts';
import type { AttrType } from './ops.ts';

const DIM = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^B(?:\\*(\\d+))?(?:/(\\d+))?$' }] };
const SHAPE = { type: 'array', items: DIM };
const INTS = { type: 'array', items: { type: 'integer' } };

const ATTR_SCHEMAS: Record<AttrType, object> = {
  number: { type: 'number' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  string: { type: 'string' },
  integers: INTS,
  dims: SHAPE,
  numberOrNull: { type: ['number', 'null'] },
};

function opSchema(op: string): object {
  const sig = OPS[op as keyof typeof OPS];
  const required = Object.keys(sig.attrs).filter((a) => !sig.optional?.includes(a));
  return {
    if: { properties: { op: { const: op } }, required: ['op'] },
    then: {
      properties: {
        inputs: sig.arity === 'variadic' ? { minItems: 1 } : { minItems: sig.arity, maxItems: sig.arity },
        attrs: {
          type: 'object',
          properties: Object.fromEntries(Object.entries(sig.attrs).map(([k, t]) => [k, ATTR_SCHEMAS[t]])),
          required,
          additionalProperties: false,
        },
      },
    },
  };
}

const INITIALIZER = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { enum: ['zeros', 'ones', 'constant', 'normal', 'truncated_normal', 'xavier_uniform', 'lecun_normal', 'sincos2d'] },
    value: { type: 'number' },
    std: { type: 'number', minimum: 0 },
    fanInAxes: INTS,
    fanOutAxes: INTS,
    gridH: { type: 'integer', minimum: 1 },
    gridW: { type: 'integer', minimum: 1 },
    prefixTokens: { type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
  allOf: [
    { if: { properties: { kind: { const: 'constant' } } }, then: { required: ['value'] } },
    { if: { properties: { kind: { enum: ['normal', 'truncated_normal'] } } }, then: { required: ['std'] } },
    { if: { properties: { kind: { const: 'xavier_uniform' } } }, then: { required: ['fanInAxes', 'fanOutAxes'] } },
    { if: { properties: { kind: { const: 'lecun_normal' } } }, then: { required: ['fanInAxes'] } },
    { if: { properties: { kind: { const: 'sincos2d' } } }, then: { required: ['gridH', 'gridW', 'prefixTokens'] } },
  ],
};

const RESOLVED_MODEL = {
  type: 'object',
  required: ['name', 'image', 'patch', 'width', 'depth', 'heads', 'mlp', 'classes', 'pool', 'dropout', 'posemb', 'tokens', 'blocks'],
  properties: {
    name: { type: 'string' },
    image: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 3, maxItems: 3 },
    patch: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 },
    width: { type: 'integer', minimum: 1 },
    depth: { type: 'integer', minimum: 1 },
    heads: { type: 'integer', minimum: 1 },
    mlp: { type: 'integer', minimum: 1 },
    classes: { type: 'integer', minimum: 2 },
    pool: { enum: ['gap', 'cls'] },
    dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    posemb: { enum: ['learned', 'sincos2d'] },
    tokens: { type: 'integer', minimum: 1 },
    blocks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind'],
        properties: {
          kind: { enum: ['dense', 'moe'] },
          mlp: { type: 'integer', minimum: 1 },
          routerName: { type: 'string' },
          router: {
            type: 'object',
            required: ['family', 'experts', 'group'],
            properties: {
              family: { enum: [...ROUTER_FAMILIES] },
              experts: { type: 'integer', minimum: 1 },
              group: { type: 'integer', minimum: 1 },
              capacity: { type: 'integer', minimum: 1 },
              slots: { type: 'integer', minimum: 1 },
              k: { type: 'integer', minimum: 1 },
            },
          },
        },
        if: { properties: { kind: { const: 'moe' } } },
        then: { required: ['mlp', 'router'] },
      },
    },
    source: { type: 'object', properties: { file: { type: 'string' }, line: { type: 'integer' } } },
  },
};

const META = { model: { type: 'string' }, source: { type: 'string' }, compiler: { type: 'string' }, resolved: RESOLVED_MODEL };

/** What both formats share: inputs, parameters and nodes. */
const COMMON_PROPERTIES = {
  inputs: {
    type: 'array',
    minItems: 1,
    items: {
      type: 'object',
      required: ['name', 'shape', 'dtype'],
      additionalProperties: false,
      properties: { name: { const: 'images' }, shape: SHAPE, dtype: { const: 'float32' } },
    },
  },
  params: {
    type: 'array',
    items: {
      type: 'object',
      required: ['name', 'shape', 'init', 'decay', 'trainable'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1 },
        shape: { type: 'array', items: { type: 'integer', minimum: 1 } },
        init: INITIALIZER,
        decay: { type: 'boolean' },
        trainable: { type: 'boolean' },
        shareAlongAxis0: { type: 'boolean' },
      },
    },
  },
  nodes: {
    type: 'array',
    items: {
      type: 'object',
      required: ['id', 'op', 'inputs', 'attrs', 'shape', 'dtype', 'scope', 'flops'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', minLength: 1 },
        op: { enum: OP_KINDS },
        inputs: { type: 'array', items: { type: 'string' } },
        attrs: { type: 'object' },
        shape: SHAPE,
        dtype: { enum: ['float32', 'int32'] },
        scope: { type: 'string' },
        flops: { type: 'number', minimum: 0 },
      },
      allOf: OP_KINDS.map(opSchema),
    },
  },
} as const;

const STAT_NAMES = [...ROUTING_STATS];

/** `moec-graph/2` (ir.ts): named outputs, complete block descriptions, meta.resolved optional. */
export const GRAPH_SCHEMA = {
  $id: 'https://moec.dev/schemas/moec-graph-2.json',
  title: 'moec op graph',
  type: 'object',
  required: ['format', 'meta', 'inputs', 'params', 'nodes', 'outputs', 'blocks'],
  additionalProperties: false,
  properties: {
    format: { const: GRAPH_FORMAT },
    meta: { type: 'object', required: ['model', 'compiler'], additionalProperties: false, properties: META },
    vit: {
      type: 'object',
      required: ['image', 'patch', 'tokens', 'width', 'depth', 'heads', 'mlp', 'classes', 'pool', 'posemb', 'dropout'],
      additionalProperties: false,
      properties: {
        image: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 3, maxItems: 3 },
        patch: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 },
        tokens: { type: 'integer', minimum: 1 },
        width: { type: 'integer', minimum: 1 },
        depth: { type: 'integer', minimum: 1 },
        heads: { type: 'integer', minimum: 1 },
        mlp: { type: 'integer', minimum: 1 },
        classes: { type: 'integer', minimum: 1 },
        pool: { enum: ['gap', 'cls'] },
        posemb: { enum: ['learned', 'sincos2d'] },
        dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
      },
    },
    ...COMMON_PROPERTIES,
    outputs: {
      type: 'object',
      required: ['logits', 'aux_loss'],
      propertyNames: { pattern: '^(logits|aux_loss|block_\\d+/[A-Za-z0-9_/]+)$' },
      additionalProperties: { type: 'string' },
    },
    blocks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'kind', 'scope', 'mlp'],
        additionalProperties: false,
        properties: {
          index: { type: 'integer', minimum: 0 },
          kind: { enum: ['dense', 'moe'] },
          scope: { type: 'string', minLength: 1 },
          mlp: { type: 'integer', minimum: 1 },
          router: { type: 'string' },
          family: { enum: [...ROUTER_FAMILIES] },
          routerName: { type: 'string' },
          experts: { type: 'integer', minimum: 1 },
          capacity: { type: 'integer', minimum: 1 },
          group: { type: 'integer', minimum: 1 },
          expertsPerToken: { type: 'number', minimum: 0 },
          expertParams: { type: 'array', items: { type: 'string' } },
          routerParams: { type: 'object', additionalProperties: { type: ['number', 'string', 'boolean'] } },
        },
        if: { properties: { kind: { const: 'moe' } } },
        then: { required: ['router', 'family', 'experts', 'capacity', 'group', 'expertsPerToken', 'expertParams'] },
      },
    },
  },
} as const;

/** `moec-graph/1`, still read (compiler/graph/upgrade.ts turns it into version 2). */
export const GRAPH_SCHEMA_V1 = {
  $id: 'https://moec.dev/schemas/moec-graph-1.json',
  title: 'moec op graph, version 1',
  type: 'object',
  required: ['format', 'meta', 'inputs', 'params', 'nodes', 'outputs', 'blocks'],
  additionalProperties: false,
  properties: {
    format: { const: GRAPH_FORMAT_V1 },
    meta: { type: 'object', required: ['model', 'compiler', 'resolved'], additionalProperties: false, properties: META },
    ...COMMON_PROPERTIES,
    outputs: {
      type: 'object',
      required: ['logits', 'auxLoss'],
      additionalProperties: false,
      properties: { logits: { type: 'string' }, auxLoss: { type: 'string' } },
    },
    blocks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'kind'],
        additionalProperties: false,
        properties: {
          index: { type: 'integer', minimum: 0 },
          kind: { enum: ['dense', 'moe'] },
          router: { type: 'string' },
          routerName: { type: 'string' },
          experts: { type: 'integer', minimum: 1 },
          capacity: { type: 'integer', minimum: 1 },
          group: { type: 'integer', minimum: 1 },
          stats: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'node'],
              additionalProperties: false,
              properties: { name: { enum: STAT_NAMES }, node: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;

const FORMATS = [GRAPH_FORMAT, GRAPH_FORMAT_V1];

type Validator = ReturnType<Ajv['compile']>;
const compiled = new Map<string, Validator>();
/** The validator of the file's format (version 2 for anything else, so its errors name the current format). */
function validator(format: unknown): Validator {
  const key = format === GRAPH_FORMAT_V1 ? GRAPH_FORMAT_V1 : GRAPH_FORMAT;
  let v = compiled.get(key);
  if (!v) {
    v = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(key === GRAPH_FORMAT_V1 ? GRAPH_SCHEMA_V1 : GRAPH_SCHEMA);
    compiled.set(key, v);
  }
  return v;
}

type PathSegment = string | number;

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `nodes[12].attrs.k` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? (out ? `.${p}` : p) : `[${JSON.stringify(p)}]`;
  return out || '(root)';
}

/** Finds a JSON path's line:col in the file text (JSON is read as YAML 1.2, its superset). */
class Locator {
  private readonly lines = new LineCounter();
  private readonly doc;
  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines });
  }
  span(path: readonly PathSegment[]): Span | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) {
        const [start, end] = node.range;
        const s = this.lines.linePos(start);
        const e = this.lines.linePos(end);
        return { file: this.file, start: { line: s.line, column: s.col, offset: start }, end: { line: e.line, column: e.col, offset: end } };
      }
    }
    return undefined;
  }
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `is missing the property '${p.missingProperty}'`;
    case 'additionalProperties':
      return `has an unknown property '${p.additionalProperty}'`;
    case 'enum':
      if (e.instancePath.endsWith('/op') && typeof e.data === 'string') {
        const help = didYouMean(e.data, OP_KINDS);
        return `'${e.data}' is not an op kind${help ? ` (${help})` : ' (see compiler/graph/ops.ts)'}`;
      }
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      if (e.instancePath === '/format') return `must be ${FORMATS.map((f) => JSON.stringify(f)).join(' or ')}`;
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minItems':
    case 'maxItems':
      if (e.instancePath.endsWith('/inputs') && Array.isArray(e.data)) {
        return `has ${e.data.length} input${e.data.length === 1 ? '' : 's'}, but this op takes ${e.keyword === 'minItems' && p.limit === 1 ? 'at least ' : ''}${p.limit}`;
      }
      return e.message ?? e.keyword;
    case 'anyOf':
      return 'must be a whole number ≥ 0 or a batch dimension such as "B", "B*49" or "B/2"';
    default:
      return e.message ?? e.keyword;
  }
}

/** The most useful errors: conditional wrappers dropped, one message per path and keyword. */
function simplify(errors: readonly ErrorObject[]): ErrorObject[] {
  const useful = errors.filter((e) => e.keyword !== 'if');
  // An anyOf error (dims) already explains its branches' failures.
  const anyOfPaths = new Set(useful.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  return useful.filter((e) => {
    if (e.keyword !== 'anyOf' && anyOfPaths.has(e.instancePath) && e.schemaPath.includes('anyOf')) return false;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Checks what the schema cannot: unique ids and names, inputs defined earlier, params declared, outputs exist. */
function semanticChecks(graph: Graph, at: (path: PathSegment[]) => Span | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const params = new Set<string>();
  graph.params.forEach((p, i) => {
    if (params.has(p.name)) out.push(diagnostic('MOE0402', `params[${i}].name: parameter '${p.name}' is declared twice`, at(['params', i, 'name'])));
    params.add(p.name);
  });
  const defined = new Set<string>();
  const all = new Set(graph.nodes.map((n) => n.id));
  graph.nodes.forEach((n, i) => {
    n.inputs.forEach((input, j) => {
      if (!defined.has(input)) {
        const why = all.has(input) ? `is defined later (nodes must be in topological order)` : `is not the id of any node`;
        out.push(diagnostic('MOE0403', `nodes[${i}].inputs[${j}]: '${input}' ${why}`, at(['nodes', i, 'inputs', j])));
      }
    });
    if (defined.has(n.id)) out.push(diagnostic('MOE0402', `nodes[${i}].id: '${n.id}' is used by an earlier node`, at(['nodes', i, 'id'])));
    defined.add(n.id);
    if (n.op === 'param' && typeof n.attrs.name === 'string' && !params.has(n.attrs.name)) {
      out.push(diagnostic('MOE0404', `nodes[${i}].attrs.name: parameter '${n.attrs.name}' is not declared in params`, at(['nodes', i, 'attrs', 'name'])));
    }
  });
  for (const [key, id] of Object.entries(graph.outputs)) {
    if (!all.has(id)) out.push(diagnostic('MOE0405', `${formatPath(['outputs', key])}: '${id}' is not the id of any node`, at(['outputs', key])));
  }
  graph.blocks.forEach((b, i) => {
    (b.expertParams ?? []).forEach((name, j) => {
      if (!params.has(name)) out.push(diagnostic('MOE0404', `blocks[${i}].expertParams[${j}]: parameter '${name}' is not declared in params`, at(['blocks', i, 'expertParams', j])));
    });
  });
  return out;
}

export interface CheckedGraph {
  /** The graph in the current format (a v1 file upgraded), when it has no errors. */
  readonly graph?: Graph;
  readonly diagnostics: Diagnostic[];
}

/**
 * Validates a parsed graph of either format and returns it as a current
 * (`moec-graph/2`) graph. With the file text, each diagnostic points at its
 * line:col in `file`; without it, the message still names the JSON path.
 */
export function checkGraph(json: unknown, sourceText?: string, format: 'json' | 'yaml' = 'json', file = `<graph.${format}>`): CheckedGraph {
  const locator = sourceText !== undefined ? new Locator(sourceText, file) : undefined;
  const at = (path: PathSegment[]): Span | undefined => locator?.span(path);
  const version = json !== null && typeof json === 'object' ? (json as { format?: unknown }).format : undefined;
  const validate = validator(version);
  if (!validate(json)) {
    const diagnostics = simplify(validate.errors ?? []).map((e) => {
      const path = pointerToPath(e.instancePath);
      return diagnostic('MOE0401', `${formatPath(path)} ${describe(e)}`, at(path));
    });
    return { diagnostics };
  }
  const graph = version === GRAPH_FORMAT_V1 ? upgradeGraphV1(json as GraphV1) : (json as Graph);
  const structural = semanticChecks(graph, at);
  // Shapes are re-inferred only on a structurally sound graph (every input defined earlier).
  const diagnostics = structural.some((d) => d.severity === 'error') ? structural : inferenceChecks(graph, at);
  return { ...(diagnostics.some((d) => d.severity === 'error') ? {} : { graph }), diagnostics };
}

/** The diagnostics of checkGraph (either format). */
export function validateGraph(json: unknown, sourceText?: string, format: 'json' | 'yaml' = 'json', file = `<graph.${format}>`): Diagnostic[] {
  return checkGraph(json, sourceText, format, file).diagnostics;
}

export interface LoadedGraph {
  readonly graph?: Graph;
  readonly diagnostics: Diagnostic[];
  readonly source?: string;
}

/** Reads a .json, .yaml or .yml graph file (either format) and validates it; the graph comes back in the current format. */
export function loadGraphFile(path: string): LoadedGraph {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    return { diagnostics: [diagnostic('MOE0406', `cannot read graph file ${path}: ${(e as Error).message}`, undefined)] };
  }
  const ext = nodePath.extname(path).toLowerCase();
  const format = ext === '.yaml' || ext === '.yml' ? 'yaml' : 'json';
  let json: unknown;
  if (format === 'json') {
    try {
      json = JSON.parse(text);
    } catch (e) {
      return { diagnostics: [diagnostic('MOE0406', `${path} is not valid JSON: ${(e as Error).message}`, undefined)], source: text };
    }
  } else {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    if (doc.errors.length > 0) {
      return {
        diagnostics: doc.errors.map((err) => {
          const s = lines.linePos(err.pos[0]);
          const e = lines.linePos(err.pos[1]);
          return diagnostic('MOE0406', `${path} is not valid YAML: ${err.message.split('\n')[0]}`, {
            file: path,
            start: { line: s.line, column: s.col, offset: err.pos[0] },
            end: { line: e.line, column: e.col, offset: err.pos[1] },
          });
        }),
        source: text,
      };
    }
    json = doc.toJS();
  }
  return { ...checkGraph(json, text, format, path), source: text };
}

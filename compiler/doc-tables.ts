// The reference tables of docs/language.md, docs/training.md and docs/routers.md,
// generated from the schema and the router table (scripts/gen-tables-doc.ts
// writes them; tests/compiler/tables-doc.test.ts fails when a doc is stale).
// Each table sits between `<!-- generated: NAME -->` and `<!-- end generated: NAME -->`.
import type { CallSignature, ParamSpec, Typed, TypedCall, ValueType } from './check/types.ts';
import { TRAIN_FIELDS } from './check/schema.ts';
import { ROUTERS, ROUTER_FAMILIES, ROUTER_KINDS } from './routers/index.ts';
import { floatText } from './routers/params.ts';
import { DATASET_SIGNATURES } from '../runtime/data/signatures.ts';

const code = (s: string): string => `\`${s}\``;

function rangeText(t: Extract<ValueType, { kind: 'int' | 'float' }>): string {
  const parts: string[] = [];
  if (t.min !== undefined) parts.push(`${t.kind === 'float' && t.minExclusive ? '>' : '≥'} ${t.min}`);
  if (t.max !== undefined) parts.push(`${t.kind === 'float' && t.maxExclusive ? '<' : '≤'} ${t.max}`);
  return parts.join(', ');
}

/** What a value of this type looks like, for a table cell. */
export function typeText(t: ValueType): string {
  switch (t.kind) {
    case 'int':
    case 'float': {
      const range = rangeText(t);
      return `${t.kind === 'int' ? 'integer' : 'number'}${range ? ` ${range}` : ''}`;
    }
    case 'bool':
      return '`true` or `false`';
    case 'enum':
      return t.values.map(code).join(', ');
    case 'string':
      return 'string';
    case 'image':
      return '`HxWxC`';
    case 'patch':
      return '`P` or `PhxPw`';
    case 'model':
      return 'a model name';
    case 'call':
      return Object.keys(t.functions)
        .map((f) => code(`${f}(…)`))
        .join(', ');
  }
}

function valueText(t: ValueType, v: Typed): string {
  if (typeof v === 'number') return t.kind === 'float' ? floatText(v) : String(v);
  if (typeof v === 'boolean') return code(String(v));
  if (typeof v === 'string') return code(v);
  if (Array.isArray(v)) return code(v.join('x'));
  return code(`${(v as TypedCall).fn}()`);
}

/** The default column: required, a constant, or the spec's description of a computed default. */
export function defaultText(p: ParamSpec): string {
  if (p.required) return 'required';
  if (p.defaultDoc) return p.defaultDoc;
  if (p.default !== undefined && typeof p.default !== 'function') return valueText(p.type, p.default);
  return '—';
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** language.md §4: the routers by their paper names, and each family's parameters. */
export function routerParamsMarkdown(): string {
  const parts = [
    table(
      ['router', 'spelling'],
      Object.values(ROUTER_KINDS).map((k) => [k.name, code(k.spelling)]),
    ),
  ];
  for (const family of ROUTER_FAMILIES) {
    const def = ROUTERS[family];
    parts.push(
      `#### ${code(family)}: ${def.label}\n\n${def.doc[0]!.toUpperCase()}${def.doc.slice(1)}${def.reference ? ` (${def.reference})` : ''}. For example ${code(def.example)}.`,
    );
    parts.push(
      table(
        ['parameter', 'meaning', 'values', 'default'],
        Object.entries(def.params).map(([name, p]) => [
          code(name),
          p.doc + (p.normalizers ? ` (with ${p.normalizers.map((n) => code(`normalize: ${n}`)).join(' or ')})` : ''),
          typeText(p.type),
          defaultText(p),
        ]),
      ),
    );
  }
  return parts.join('\n\n');
}


/** routers.md: what each router kind selects by, combines with and adds as a loss. */
export function routerKindsMarkdown(): string {
  return table(
    ['router', '`.moe` spelling', 'selects by', 'combine weight', 'aux loss'],
    Object.values(ROUTER_KINDS).map((k) => [k.name, code(k.spelling), k.selects, k.combine, k.aux]),
  );
}

function functionsTable(field: string, functions: Readonly<Record<string, CallSignature>>): string[][] {
  return Object.entries(functions).flatMap(([fn, sig]) => {
    const args = Object.entries(sig);
    if (args.length === 0) return [[code(field), code(fn), '—', 'no arguments', '']];
    return args.map(([name, p]) => [code(field), code(fn), code(name), p.doc, defaultText(p)]);
  });
}

/** language.md §3.5 and training.md: the train block's fields, and the arguments of its calls. */
export function trainFieldsMarkdown(): string {
  const fields = table(
    ['field', 'meaning', 'values', 'default'],
    Object.entries(TRAIN_FIELDS).map(([name, p]) => [code(name), p.doc, typeText(p.type), defaultText(p)]),
  );
  const calls = Object.entries(TRAIN_FIELDS).flatMap(([name, p]) => (p.type.kind === 'call' ? functionsTable(name, p.type.functions) : []));
  return `${fields}\n\nThe arguments of the calls (every argument is optional unless marked required):\n\n${table(['field', 'function', 'argument', 'meaning', 'default'], calls)}`;
}

/** training.md: the data sets of the registry (runtime/data/signatures.ts). */
export function datasetsMarkdown(): string {
  return table(
    ['source', 'what it reads'],
    Object.entries(DATASET_SIGNATURES).map(([name, sig]) => {
      const args = Object.entries(sig.args);
      const spelling = `${name}(${args.map(([a, p]) => `${a}: ${p.type.kind === 'string' ? '"…"' : 'N'}`).join(', ')})`;
      const defaults = args.filter(([, p]) => p.default !== undefined).map(([a, p]) => `${a} ${defaultText(p)}`);
      return [code(spelling), sig.doc + (defaults.length ? `; defaults ${defaults.join(', ')}` : '')];
    }),
  );
}

/** Every generated region, by name. */
export const GENERATED_TABLES: Readonly<Record<string, () => string>> = {
  'router-params': routerParamsMarkdown,
  'router-kinds': routerKindsMarkdown,
  'train-fields': trainFieldsMarkdown,
  datasets: datasetsMarkdown,
};

/** Which regions each doc holds. */
export const GENERATED_DOCS: Readonly<Record<string, readonly string[]>> = {
  'docs/language.md': ['train-fields', 'router-params'],
  'docs/training.md': ['train-fields', 'datasets'],
  'docs/routers.md': ['router-kinds'],
};

/**
 * `text` with every generated region replaced by its current table; throws when a
 * region the doc should hold has no markers (so a doc cannot silently lose one).
 */
export function withGeneratedTables(text: string, regions: readonly string[]): string {
  let out = text;
  for (const name of regions) {
    const begin = `<!-- generated: ${name} (scripts/gen-tables-doc.ts) -->`;
    const end = `<!-- end generated: ${name} -->`;
    const i = out.indexOf(begin);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`the doc has no generated region '${name}' (expected the markers ${begin} … ${end})`);
    out = `${out.slice(0, i + begin.length)}\n${GENERATED_TABLES[name]!()}\n${out.slice(j)}`;
  }
  return out;
}

// `--set name=value` overrides. Each flag is one line of a synthetic source
// `<--set>`; its value is parsed with the real expression grammar and its spans
// are moved onto that line, so diagnostics point at the flag text.
//
//   name=value          a model field (width=128) or a train field (batch=32, steps=50)
//   router.param=value  that parameter on the router of every MoE block (router.experts=16)
import type { Argument, Field, SpecFile } from '../grammar/ast.ts';
import type { Diagnostic, Position, Span } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/catalogue.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { ParseFile } from './resolve/files.ts';
import { MODEL_FIELDS, ROUTER_PARAMS, TRAIN_FIELDS } from './check/schema.ts';

export const OVERRIDE_SOURCE = '<--set>';

export interface ParsedOverrides {
  readonly modelFields: readonly Field[];
  readonly routerParams: readonly Argument[];
  readonly trainFields: readonly Field[];
  readonly diagnostics: readonly Diagnostic[];
  /** The text of `<--set>`: one flag per line. */
  readonly source: string;
}

const HEADER = 'model __set__ {\n';
const FIELD_PREFIX = '__v: ';

function position(line: number, column: number, offset: number): Position {
  return { line, column, offset };
}

/** Deep-copies an AST fragment, mapping every span through `map`. */
function remap<T>(node: T, map: (s: Span) => Span): T {
  if (Array.isArray(node)) return node.map((n) => remap(n, map)) as T;
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === 'span' && v && typeof v === 'object' && 'start' in v ? map(v as Span) : remap(v, map);
    }
    return out as T;
  }
  return node;
}

export function parseOverrides(flags: readonly string[], parse: ParseFile): ParsedOverrides {
  const modelFields: Field[] = [];
  const routerParams: Argument[] = [];
  const trainFields: Field[] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = flags.map((f) => f.replace(/\r?\n/g, ' '));
  let lineStart = 0;
  lines.forEach((text, i) => {
    const line = i + 1;
    const at = (from: number, to: number): Span => ({
      file: OVERRIDE_SOURCE,
      start: position(line, from + 1, lineStart + from),
      end: position(line, to + 1, lineStart + to),
    });
    const startOfLine = lineStart;
    lineStart += text.length + 1;
    const eq = text.indexOf('=');
    const name = eq > 0 ? text.slice(0, eq).trim() : '';
    if (eq <= 0 || name === '' || text.slice(eq + 1).trim() === '') {
      diagnostics.push(
        diagnostic('MOE0212', `--set expects field=value, got '${text}'`, at(0, Math.max(text.length, 1)), {
          help: 'e.g. --set width=128, --set batch=32, --set router.experts=16',
        }),
      );
      return;
    }
    const nameSpan = at(text.indexOf(name), text.indexOf(name) + name.length);
    const valueText = text.slice(eq + 1);
    const synthetic = `${HEADER}${FIELD_PREFIX}${valueText}\n}\n`;
    const valueOffset = HEADER.length + FIELD_PREFIX.length;
    const map = (s: Span): Span => {
      const shift = (p: Position): Position => {
        const rel = Math.max(0, Math.min(p.offset - valueOffset, valueText.length));
        return position(line, eq + 2 + rel, startOfLine + eq + 1 + rel);
      };
      return { file: OVERRIDE_SOURCE, start: shift(s.start), end: shift(s.end) };
    };
    const parsed = parse(synthetic, OVERRIDE_SOURCE);
    const parseErrors = parsed.diagnostics.filter((d) => d.severity === 'error');
    const decl = (parsed.file as SpecFile).declarations[0];
    const value = decl?.kind === 'ModelDeclaration' && decl.members[0]?.kind === 'Field' ? decl.members[0].value : undefined;
    if (parseErrors.length > 0 || !value || decl.kind !== 'ModelDeclaration' || decl.members.length !== 1) {
      const first = parseErrors[0];
      diagnostics.push(
        first
          ? remap({ ...first, message: `in --set ${name}: ${first.message}` }, map)
          : diagnostic('MOE0212', `--set ${name}: cannot read the value '${valueText}'`, map({ file: '', start: position(2, 6, valueOffset), end: position(2, 6 + valueText.length, valueOffset + valueText.length) })),
      );
      return;
    }
    const expr = remap(value, map);
    const ident = { kind: 'Identifier' as const, name, span: nameSpan };
    if (name.startsWith('router.')) {
      const param = name.slice('router.'.length);
      if (!(param in ROUTER_PARAMS)) {
        const help = didYouMean(param, Object.keys(ROUTER_PARAMS));
        diagnostics.push(diagnostic('MOE0212', `unknown router parameter '${param}' in --set`, nameSpan, help ? { help } : {}));
        return;
      }
      const paramIdent = { ...ident, name: param };
      routerParams.push({ kind: 'Argument', name: paramIdent, value: expr, span: { ...nameSpan, end: expr.span.end } });
      return;
    }
    const field: Field = { kind: 'Field', name: ident, value: expr, span: { ...nameSpan, end: expr.span.end } };
    if (name in MODEL_FIELDS) modelFields.push(field);
    else if (name in TRAIN_FIELDS) trainFields.push(field);
    else if (name in ROUTER_PARAMS) {
      diagnostics.push(
        diagnostic('MOE0212', `'${name}' is a router parameter`, nameSpan, {
          help: `write router.${name}=… to set it on the router of every MoE block`,
          suggestion: { replacement: `router.${name}` },
        }),
      );
    } else {
      const candidates = [...Object.keys(MODEL_FIELDS), ...Object.keys(TRAIN_FIELDS), ...Object.keys(ROUTER_PARAMS).map((p) => `router.${p}`)];
      const help = didYouMean(name, candidates);
      diagnostics.push(
        diagnostic('MOE0212', `--set names no model, train or router field '${name}'`, nameSpan, {
          help: help ?? 'fields are those of a model or train block, or router.PARAM',
        }),
      );
    }
  });
  return { modelFields, routerParams, trainFields, diagnostics, source: lines.join('\n') };
}

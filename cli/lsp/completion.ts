// Completion: what may be written at the cursor, from the tokens before it (so it
// works in half-typed, unparsable text) and the latest analysis (declared names,
// fields already given). Each item carries the compiler's documentation.
import type { IToken } from 'chevrotain';
import type { CompletionItem } from 'vscode-languageserver/node';
import { CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver/node';
import type { ParamSpec } from '../../compiler/check/schema.ts';
import { lex } from '../../grammar/lexer.ts';
import { LineMap } from '../../grammar/source.ts';
import * as t from '../../grammar/tokens.ts';
import type { Analysis } from './analysis.ts';
import { innermost, nodesAt } from './locate.ts';
import {
  MODEL_FIELDS,
  MOE_ARGS,
  ROUTER_FAMILIES,
  TRAIN_FIELDS,
  TRAIN_FUNCTIONS,
  familyDoc,
  familyExample,
  isRouterFamily,
  paramMarkdown,
  routerParameter,
  routerParameters,
  trainFunction,
} from './vocabulary.ts';

interface Call {
  readonly callee: string | undefined;
  /** Arguments written so far (names), the current argument's position, and its name once `name:` is typed. */
  readonly given: string[];
  index: number;
  argName: string | undefined;
  afterColon: boolean;
}

interface Context {
  readonly body: 'model' | 'train' | 'top' | 'other';
  readonly call: Call | undefined;
  /** The tokens of the current statement (field, block rule or top-level declaration head). */
  readonly statement: readonly IToken[];
}

const markdown = (value: string) => ({ kind: MarkupKind.Markdown, value });

/** Reads the tokens before `offset` into the place the cursor is at. */
function contextAt(text: string, offset: number): Context | undefined {
  const lines = new LineMap(text);
  const { tokens, comments } = lex(text, '', lines);
  // Inside a comment or a string: nothing to complete.
  for (const c of comments) if (c.startOffset < offset && offset <= (c.endOffset ?? c.startOffset) + 1) return undefined;
  const before: IToken[] = [];
  for (const tok of tokens) {
    const end = (tok.endOffset ?? tok.startOffset) + 1;
    if (end > offset || (end === offset && isWord(tok))) {
      // The word being typed is the prefix the editor filters by; a string under the cursor ends completion.
      if (tok.tokenType === t.StringLiteral && tok.startOffset < offset) return undefined;
      break;
    }
    before.push(tok);
  }
  const braces: Array<Context['body']> = [];
  const calls: Call[] = [];
  let pending: Context['body'] = 'other';
  let statement: IToken[] = [];
  let prev: IToken | undefined;
  for (const tok of before) {
    const type = tok.tokenType;
    const newLine = prev !== undefined && (tok.startLine ?? 0) > (prev.endLine ?? prev.startLine ?? 0);
    if (calls.length === 0 && newLine && braces.length > 0) statement = [];
    if (braces.length === 0 && (type === t.Model || type === t.Train || type === t.Router || type === t.Import) && prev?.tokenType !== t.Extends) {
      pending = type === t.Model ? 'model' : type === t.Train ? 'train' : 'other';
      statement = [];
    }
    if (type === t.LCurly) {
      braces.push(braces.length === 0 ? pending : 'other');
      statement = [];
    } else if (type === t.RCurly) {
      braces.pop();
      calls.length = 0;
      statement = [];
    } else if (type === t.LParen) {
      calls.push({ callee: prev && isWord(prev) ? prev.image : undefined, given: [], index: 0, argName: undefined, afterColon: false });
      statement.push(tok);
    } else if (type === t.RParen) {
      calls.pop();
      statement.push(tok);
    } else if (type === t.Comma && calls.length > 0) {
      const c = calls[calls.length - 1];
      c.index++;
      c.argName = undefined;
      c.afterColon = false;
    } else if (type === t.Comma && braces.length > 0) {
      statement = [];
    } else if (type === t.Colon && calls.length > 0) {
      const c = calls[calls.length - 1];
      if (prev && isWord(prev)) {
        c.argName = prev.image;
        c.given.push(prev.image);
      }
      c.afterColon = true;
    } else {
      statement.push(tok);
    }
    prev = tok;
  }
  // A cursor on a fresh line in a body starts a new statement.
  const cursorLine = lines.position(offset).line;
  if (calls.length === 0 && braces.length > 0 && prev && cursorLine > (prev.endLine ?? prev.startLine ?? 0)) statement = [];
  const body: Context['body'] = braces.length === 0 ? 'top' : braces.length === 1 ? braces[0] : 'other';
  return { body, call: calls[calls.length - 1], statement };
}

function isWord(tok: IToken): boolean {
  return tok.tokenType === t.Identifier || t.keywordTokens.includes(tok.tokenType);
}

function fieldItem(name: string, spec: ParamSpec, kind: CompletionItemKind = CompletionItemKind.Field): CompletionItem {
  return {
    label: name,
    kind,
    detail: spec.doc,
    documentation: markdown(paramMarkdown(name, spec)),
    insertText: `${name}: `,
  };
}

function enumItems(spec: ParamSpec | undefined): CompletionItem[] {
  if (!spec) return [];
  if (spec.type.kind === 'enum') return spec.type.values.map((v) => ({ label: v, kind: CompletionItemKind.EnumMember, detail: spec.doc }));
  if (spec.type.kind === 'bool') return ['true', 'false'].map((v) => ({ label: v, kind: CompletionItemKind.Value, detail: spec.doc }));
  return [];
}

function familyItems(): CompletionItem[] {
  return ROUTER_FAMILIES.map((f) => ({
    label: f,
    kind: CompletionItemKind.Function,
    detail: 'router',
    documentation: markdown(`**${f}** — ${familyDoc(f)}`),
    insertText: familyExample(f),
  }));
}

function namesOf(analysis: Analysis | undefined, kind: 'ModelDeclaration' | 'RouterDeclaration', detail: string): CompletionItem[] {
  if (!analysis) return [];
  return analysis.names(kind).map((n) => ({
    label: n.name,
    kind: kind === 'ModelDeclaration' ? CompletionItemKind.Class : CompletionItemKind.Variable,
    detail: n.preset ? `standard preset ${detail}` : detail,
  }));
}

const SELECTORS: ReadonlyArray<[string, string, string]> = [
  ['all', 'all', 'every block'],
  ['first N', 'first ${1:2}', 'the first N blocks'],
  ['last N', 'last ${1:2}', 'the last N blocks'],
  ['every N', 'every ${1:2}', 'blocks N-1, 2N-1, … (the V-MoE convention)'],
  ['every N from S', 'every ${1:2} from ${2:0}', 'blocks S, S+N, S+2N, …'],
  ['A..B', '${1:0}..${2:3}', 'blocks A to B, inclusive'],
  ['A, B', '${1:1}, ${2:3}', 'a list of blocks and ranges'],
];

function selectorItems(): CompletionItem[] {
  return SELECTORS.map(([label, snippet, doc]) => ({ label, kind: CompletionItemKind.Snippet, detail: doc, insertText: snippet, insertTextFormat: InsertTextFormat.Snippet }));
}

function layerItems(): CompletionItem[] {
  return [
    { label: 'dense', kind: CompletionItemKind.Keyword, detail: 'a dense MLP block' },
    { label: 'moe(…)', kind: CompletionItemKind.Snippet, detail: 'a Mixture-of-Experts block', insertText: 'moe(${1:soft}(experts: ${2:8}))', insertTextFormat: InsertTextFormat.Snippet },
  ];
}

/** Fields the declaration under the cursor already gives (offered no more). */
function givenFields(analysis: Analysis | undefined, offset: number): Set<string> {
  if (!analysis) return new Set();
  const chain = nodesAt(analysis.file, offset);
  const model = innermost(chain, 'ModelDeclaration');
  if (model) return new Set(model.members.flatMap((m) => (m.kind === 'Field' ? [m.name.name] : [])));
  const train = innermost(chain, 'TrainDeclaration');
  return new Set(train?.fields.map((f) => f.name.name) ?? []);
}

function callItems(call: Call, analysis: Analysis | undefined): CompletionItem[] {
  const callee = call.callee ?? '';
  if (callee === 'moe') {
    if (call.afterColon) return [];
    if (call.index === 0) return [...familyItems(), ...namesOf(analysis, 'RouterDeclaration', 'router')];
    return Object.entries(MOE_ARGS).filter(([n]) => !call.given.includes(n)).map(([n, s]) => fieldItem(n, s, CompletionItemKind.Property));
  }
  if (isRouterFamily(callee)) {
    if (call.afterColon) return enumItems(call.argName ? routerParameter(callee, call.argName) : undefined);
    return routerParameters(callee).filter(([n]) => !call.given.includes(n)).map(([n, s]) => fieldItem(n, s, CompletionItemKind.Property));
  }
  const fn = trainFunction(callee);
  if (fn) {
    if (call.afterColon) return enumItems(call.argName ? fn.signature[call.argName] : undefined);
    return Object.entries(fn.signature).filter(([n]) => !call.given.includes(n)).map(([n, s]) => fieldItem(n, s, CompletionItemKind.Property));
  }
  return [];
}

function functionItems(field: string): CompletionItem[] {
  const fns = TRAIN_FUNCTIONS[field] ?? {};
  return Object.entries(fns).map(([name, sig]) => {
    const required = Object.entries(sig).filter(([, s]) => s.required);
    const args = required.map(([n], i) => `${n}: \${${i + 1}}`).join(', ');
    return {
      label: name,
      kind: CompletionItemKind.Function,
      detail: TRAIN_FIELDS[field]?.doc,
      documentation: markdown(Object.entries(sig).map(([n, s]) => `- ${paramMarkdown(n, s).replace('\n\n', ' — ')}`).join('\n') || 'no arguments'),
      insertText: `${name}(${args})`,
      insertTextFormat: InsertTextFormat.Snippet,
    };
  });
}

export function completionsAt(analysis: Analysis | undefined, text: string, offset: number): CompletionItem[] {
  const ctx = contextAt(text, offset);
  if (!ctx) return [];
  if (ctx.call) return callItems(ctx.call, analysis);
  const s = ctx.statement;
  const colon = s.findIndex((tok) => tok.tokenType === t.Colon);
  if (ctx.body === 'model') {
    if (s[0]?.tokenType === t.Blocks) {
      if (colon >= 0) return layerItems();
      const every = s.some((tok) => tok.tokenType === t.Every);
      const fromGiven = s.some((tok) => tok.tokenType === t.From);
      if (every && !fromGiven && s.length >= 3) return [{ label: 'from', kind: CompletionItemKind.Keyword, detail: 'the first block of `every N`' }];
      return s.length === 1 ? selectorItems() : [];
    }
    if (colon >= 0) {
      const field = s[0]?.image ?? '';
      const spec = MODEL_FIELDS[field];
      if (spec && (spec.type.kind === 'enum' || spec.type.kind === 'bool')) return enumItems(spec);
      // A number field: other fields may be named in its expression (`mlp: 4 * width`).
      return Object.entries(MODEL_FIELDS).filter(([n]) => n !== field && MODEL_FIELDS[n].type.kind === 'int').map(([n, sp]) => ({ label: n, kind: CompletionItemKind.Variable, detail: sp.doc }));
    }
    if (s.length > 0) return [];
    const given = givenFields(analysis, offset);
    return [
      ...Object.entries(MODEL_FIELDS).filter(([n]) => !given.has(n)).map(([n, sp]) => fieldItem(n, sp)),
      { label: 'blocks', kind: CompletionItemKind.Keyword, detail: 'a block rule: which blocks are dense or MoE', insertText: 'blocks ${1:last 2}: ${2:moe(soft(experts: 8))}', insertTextFormat: InsertTextFormat.Snippet },
    ];
  }
  if (ctx.body === 'train') {
    if (colon >= 0) {
      const field = s[0]?.image ?? '';
      if (field === 'model') return namesOf(analysis, 'ModelDeclaration', 'model');
      if (TRAIN_FUNCTIONS[field]) return functionItems(field);
      return enumItems(TRAIN_FIELDS[field]);
    }
    if (s.length > 0) return [];
    const given = givenFields(analysis, offset);
    return Object.entries(TRAIN_FIELDS).filter(([n]) => !given.has(n)).map(([n, sp]) => fieldItem(n, sp));
  }
  if (ctx.body === 'top') {
    const last = s[s.length - 1];
    if (last?.tokenType === t.Extends) return namesOf(analysis, 'ModelDeclaration', 'model');
    if (s.length === 2 && s[0].tokenType === t.Model) return [{ label: 'extends', kind: CompletionItemKind.Keyword, detail: 'inherit the fields and block rules of another model' }];
    if (s.length === 3 && s[0].tokenType === t.Router && last?.tokenType === t.Equals) return familyItems();
    if (s.length > 0 && last?.tokenType !== t.RCurly && last?.tokenType !== t.RParen && last?.tokenType !== t.StringLiteral) return [];
    return [
      { label: 'model', kind: CompletionItemKind.Keyword, detail: 'declare a model', insertText: 'model ${1:name} {\n\t$0\n}', insertTextFormat: InsertTextFormat.Snippet },
      { label: 'router', kind: CompletionItemKind.Keyword, detail: 'name a router configuration', insertText: 'router ${1:name} = ${2:soft}(experts: ${3:8})', insertTextFormat: InsertTextFormat.Snippet },
      { label: 'train', kind: CompletionItemKind.Keyword, detail: 'declare a training run', insertText: 'train ${1:name} {\n\tmodel: $2\n}', insertTextFormat: InsertTextFormat.Snippet },
      { label: 'import', kind: CompletionItemKind.Keyword, detail: 'import the declarations of another .moe file', insertText: 'import "$1"', insertTextFormat: InsertTextFormat.Snippet },
    ];
  }
  return [];
}

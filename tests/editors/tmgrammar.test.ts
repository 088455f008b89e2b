// The VS Code extension's TextMate grammar (editors/vscode/syntaxes), tested with
// vscode-tmgrammar-test: a syntax test of hand-written scope assertions; on every
// shipped spec, agreement with moec's own lexer (each token's scope matches its kind);
// and scope snapshots of a few specs (re-bless with `npx vitest run --update`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from 'vscode-tmgrammar-test/dist/common/index.js';
import { getVSCodeTokens, renderSnap } from 'vscode-tmgrammar-test/dist/snapshot/index.js';
import { parseGrammarTestCase, runGrammarTestCase } from 'vscode-tmgrammar-test/dist/unit/index.js';
import { parse } from '../../grammar/index.ts';
import { lex } from '../../grammar/lexer.ts';
import { LineMap } from '../../grammar/source.ts';
import * as t from '../../grammar/tokens.ts';
import { MODEL_FIELDS, TRAIN_FIELDS } from '../../compiler/check/schema.ts';
import { ROUTERS, ROUTER_FAMILIES } from '../../compiler/routers/index.ts';

const root = new URL('../../', import.meta.url).pathname;
const grammarPath = join(root, 'editors/vscode/syntaxes/moe.tmLanguage.json');
const registry = createRegistry([{ path: grammarPath, scopeName: 'source.moe', language: 'moe' }]);

function moeFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? moeFiles(p) : name.endsWith('.moe') ? [p] : [];
    });
}

const shipped = [...moeFiles(join(root, 'specs')), ...moeFiles(join(root, 'examples'))];
// Specs that change rarely; the lexer-agreement test above covers every shipped spec.
const SNAPSHOTS = ['examples/mnist_soft.moe', 'specs/vmoe_b32.moe'];

/** The scope a lexer token's kind must get (a regular expression over the innermost scope). */
function expectedScope(type: string): RegExp {
  if (type === 'Comment') return /^(comment|punctuation\.definition\.comment)/;
  if (type === 'StringLiteral') return /^(string|punctuation\.definition\.string)/;
  if (type === 'Dimension') return /^constant\.numeric\.dimension/;
  if (type === 'NumberLiteral') return /^constant\.numeric/;
  if (type === 'True' || type === 'False') return /^constant\.language\.boolean/;
  if (t.keywordTokens.some((k) => k.name === type)) return /^(storage|keyword|variable\.other\.property)/; // `model:` in a train block is a field
  if (type === 'Identifier') return /^(entity|variable|support|constant\.language)/;
  return /./;
}

describe('TextMate grammar', () => {
  it('passes the scope assertions of tests/fixtures/tmgrammar/assertions.moe', async () => {
    const text = readFileSync(join(root, 'tests/fixtures/tmgrammar/assertions.moe'), 'utf8');
    const testCase = parseGrammarTestCase(text);
    const failures = await runGrammarTestCase(registry, testCase);
    expect(failures.map((f) => `line ${f.line + 1}, columns ${f.start}-${f.end}: expected ${f.missing.join(' ')}, got ${f.actual.join(' ')}`)).toEqual([]);
    // The assertion file is itself a valid spec apart from its comments.
    expect(parse(text, 'assertions.moe').diagnostics).toEqual([]);
  });

  it('is the one the extension contributes', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'editors/vscode/package.json'), 'utf8')) as { contributes: { grammars: { path: string; scopeName: string }[] } };
    expect(pkg.contributes.grammars).toEqual([{ language: 'moe', scopeName: 'source.moe', path: './syntaxes/moe.tmLanguage.json' }]);
  });

  it('scopes every token of every shipped spec as moec lexes it', async () => {
    expect(shipped.length).toBeGreaterThan(5);
    const problems: string[] = [];
    for (const file of shipped) {
      const text = readFileSync(file, 'utf8');
      const lines = new LineMap(text);
      const tm = await getVSCodeTokens(registry, 'source.moe', text);
      const { tokens, comments } = lex(text, file, lines);
      for (const tok of [...tokens, ...comments]) {
        const line = tm[(tok.startLine ?? 1) - 1];
        const col = (tok.startColumn ?? 1) - 1;
        const at = line?.tokens.find((x) => x.startIndex <= col && col < x.endIndex);
        const scope = at?.scopes[at.scopes.length - 1] ?? '';
        if (!expectedScope(tok.tokenType.name).test(scope)) problems.push(`${relative(root, file)}:${tok.startLine}:${tok.startColumn} ${tok.tokenType.name} '${tok.image}' has scope '${scope}'`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('knows every router family and every enum value of the compiler tables', async () => {
    const scopeOf = async (line: string, word: string) => {
      const [tokens] = await getVSCodeTokens(registry, 'source.moe', line);
      const col = line.indexOf(word);
      const tok = tokens.tokens.find((x) => x.startIndex <= col && col < x.endIndex)!;
      return tok.scopes[tok.scopes.length - 1];
    };
    // A new family or enum value needs a word in editors/vscode/syntaxes/moe.tmLanguage.json.
    for (const f of ROUTER_FAMILIES) expect(await scopeOf(`router r = ${f}(experts: 4)`, f), f).toBe('support.function.router.moe');
    const enums = new Set<string>();
    const specs = [...Object.values(MODEL_FIELDS), ...Object.values(TRAIN_FIELDS), ...ROUTER_FAMILIES.flatMap((f) => Object.values(ROUTERS[f].params))];
    for (const spec of specs) if (spec.type.kind === 'enum') for (const v of spec.type.values) enums.add(v);
    expect(enums.size).toBeGreaterThan(5);
    for (const v of enums) expect(await scopeOf(`  pool: ${v}`, v), v).toBe('constant.language.enum.moe');
  });

  for (const name of SNAPSHOTS) {
    it(`highlights ${name} as in its scope snapshot`, async () => {
      const tokens = await getVSCodeTokens(registry, 'source.moe', readFileSync(join(root, name), 'utf8'));
      await expect(renderSnap(tokens)).toMatchFileSnapshot(join(root, 'tests/fixtures/tmgrammar', `${basename(name, '.moe')}.snap`));
    });
  }
});

// The spec fuzzer: thousands of mutated specs (the shipped specs, the examples and the
// fixtures, each mutated at the token, line and structure level) through what
// `moec check --format json` does: load, resolve, check, select, print, render.
// 0 crashes (an exception, a code outside the catalogue) and 0 hangs (over 5 s).
// A new seed each run, printed; replay one with MOEC_FUZZ_SEED=<seed>.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../diagnostics/catalogue.ts';
import { limitDiagnostics } from '../../diagnostics/limit.ts';
import { renderDiagnostics, renderDiagnosticsJson } from '../../diagnostics/render.ts';
import { printResolvedSpec, selectModel, selectTrain } from '../../compiler/index.ts';
import { check } from './harness.ts';
import { uniformGenerator } from '../../runtime/executor/random.ts';

const SPECS = Number(process.env.MOEC_FUZZ_SPECS ?? 5000);
const HANG_MS = 5000;

function moeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? moeFiles(join(dir, e.name)) : e.name.endsWith('.moe') ? [join(dir, e.name)] : []));
}
const corpus = ['specs', 'examples', 'tests/fixtures/check', 'tests/fixtures/resolve', 'tests/fixtures/compile']
  .flatMap((d) => (fs.existsSync(d) ? moeFiles(d) : []))
  .map((f) => fs.readFileSync(f, 'utf8'));

// The executor's seeded generator (mulberry32), so a failing run replays from the printed seed.
const random = uniformGenerator;

const WORDS = ['model', 'router', 'train', 'extends', 'blocks', 'import', 'all', 'first', 'last', 'every', 'moe', 'dense', 'soft', 'token_choice', 'expert_choice',
  'width', 'depth', 'experts', 'slots', 'group', 'capacity', 'k', 'batch', 'steps', 'data', 'mnist', 'cifar10', 'folder', '{', '}', '(', ')', ':', ',', '..', '*', '/', '+', '-',
  '0', '-1', '1.5', '1e308', '1e-400', '99999999999', '0x1', '28x28x1', '"a.moe"', '"', 'x', 'true', '\n', '#', 'm0'];

function mutate(text: string, rand: () => number, depth = 0): string {
  const pick = (n: number) => Math.floor(rand() * n);
  const tokens = text.match(/[A-Za-z_]\w*|\d[\w.+-]*|"[^"\n]*"|\s+|./g) ?? [''];
  const lines = text.split('\n');
  const i = pick(tokens.length);
  switch (pick(11)) {
    case 0:
      tokens.splice(i, 1 + pick(4));
      return tokens.join('');
    case 1:
      tokens[i] = WORDS[pick(WORDS.length)]!;
      return tokens.join('');
    case 2:
      tokens.splice(i, 0, ` ${WORDS[pick(WORDS.length)]} `);
      return tokens.join('');
    case 3: {
      const j = pick(tokens.length);
      [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
      return tokens.join('');
    }
    case 4: {
      const l = pick(lines.length);
      lines.splice(pick(lines.length), 0, ...Array.from({ length: 1 + pick(3) }, () => lines[l]!));
      return lines.join('\n');
    }
    case 5:
      lines.splice(pick(lines.length), 1 + pick(3));
      return lines.join('\n');
    case 6: // a number in a field replaced by an extreme one
      return text.replace(/\b\d+\b/, ['0', '1e12', '4294967297', '-5', '0.5', '1e999'][pick(6)]!);
    case 7: { // an extends chain or a long one-line expression
      const n = 50 + pick(1000);
      return pick(2) === 0
        ? text + '\n' + Array.from({ length: n }, (_, k) => `model z${k} extends z${k + 1} { }`).join('\n') + (pick(2) ? `\nmodel z${n} extends z0 { }` : '')
        : text.replace(/width:\s*[^\n]+/, `width: ${'('.repeat(n % 400)}1${')'.repeat(n % 400)}${' + 1'.repeat(n)}`);
    }
    case 8: // random characters
      return text.slice(0, pick(text.length + 1)) + Array.from({ length: 1 + pick(6) }, () => String.fromCharCode(pick(0x3000))).join('') + text.slice(pick(text.length + 1));
    case 9: // truncated
      return text.slice(0, pick(text.length + 1));
    default:
      return depth < 3 ? mutate(mutate(text, rand, depth + 1), rand, depth + 1) : text;
  }
}

/** What `moec check --format json` does with a file, plus what train/compile do next (select, print). */
function runCheck(text: string): void {
  const p = check(text);
  for (const d of p.diagnostics) if (!catalogue[d.code]) throw new Error(`diagnostic code ${d.code} is not in the catalogue: ${d.message}`);
  const shown = limitDiagnostics(p.diagnostics);
  JSON.parse(renderDiagnosticsJson(shown));
  renderDiagnostics(shown, p.sources);
  if (p.diagnostics.some((d) => d.severity === 'error')) return;
  for (const name of p.entryModels) {
    const m = selectModel(p, name).value;
    if (m) printResolvedSpec(m);
  }
  if (p.entryTrains.length > 0) selectTrain(p, undefined);
}

describe('spec fuzzer', () => {
  it(`checks ${SPECS} mutated specs without a crash or a hang`, () => {
    const seed = Number(process.env.MOEC_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`spec fuzzer: seed ${seed}, ${SPECS} specs from ${corpus.length} files (replay with MOEC_FUZZ_SEED=${seed})`);
    const rand = random(seed);
    const crashes: string[] = [];
    const hangs: string[] = [];
    let slowest = 0;
    const t0 = performance.now();
    for (let n = 0; n < SPECS && crashes.length + hangs.length < 5; n++) {
      const text = mutate(corpus[Math.floor(rand() * corpus.length)]!, rand);
      const t = performance.now();
      try {
        runCheck(text);
      } catch (e) {
        crashes.push(`#${n}: ${(e as Error).message.split('\n')[0]}\n--- spec (first 400 chars) ---\n${text.slice(0, 400)}`);
      }
      const ms = performance.now() - t;
      slowest = Math.max(slowest, ms);
      if (ms > HANG_MS) hangs.push(`#${n}: ${Math.round(ms)} ms\n${text.slice(0, 400)}`);
    }
    console.log(`spec fuzzer: ${SPECS} specs in ${((performance.now() - t0) / 1000).toFixed(1)} s, slowest ${Math.round(slowest)} ms`);
    expect(crashes, `seed ${seed}`).toEqual([]);
    expect(hangs, `seed ${seed}`).toEqual([]);
  }, 300_000);
});

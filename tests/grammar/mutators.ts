// Seeded mutations of valid specs (deleted, duplicated, swapped and replaced tokens,
// random bytes, truncation, very long lines, several at once), shared by the parser's
// robustness test and the language server's fuzz test. Pass a seeded generator
// (runtime/executor/random.ts) so every failure is reproducible.
import { fixtures, languageExamples } from './helpers.ts';

/** The texts to mutate: the valid syntax fixtures and the language reference's examples. */
export function mutationSeeds(): string[] {
  return [...fixtures('valid').map((f) => f.text), ...languageExamples().map((e) => e.text)].filter((t) => t.trim().length > 0);
}

/** Rough tokens of a text (words, numbers, punctuation, whitespace runs) to mutate. */
function pieces(text: string): string[] {
  return text.match(/[A-Za-z_][A-Za-z0-9_]*|\d[\dx.eE+-]*|\.\.|"[^"\n]*"|#[^\n]*|\s+|./g) ?? [];
}

const vocabulary = ['model', 'router', 'train', 'extends', 'blocks', 'import', 'all', 'first', 'last', 'every', 'from', 'dense', 'moe',
  'true', 'false', '{', '}', '(', ')', ':', ',', '=', '+', '-', '*', '/', '%', '..', '128', '1e-3', '.5', '28x28x1', '"s"', 'x', '#c\n', '\n', '"', '\\'];

function randomBytes(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rand();
    s += r < 0.6 ? String.fromCharCode(Math.floor(rand() * 128)) : r < 0.9 ? String.fromCharCode(Math.floor(rand() * 0xffff)) : '\r';
  }
  return s;
}

export function mutate(text: string, rand: () => number): string {
  const parts = pieces(text);
  const pick = (n: number) => Math.floor(rand() * n);
  const i = pick(parts.length);
  switch (pick(8)) {
    case 0: // delete tokens
      parts.splice(i, 1 + pick(3));
      return parts.join('');
    case 1: // duplicate a token
      parts.splice(i, 0, parts[i] ?? '');
      return parts.join('');
    case 2: { // swap two tokens
      const j = pick(parts.length);
      [parts[i], parts[j]] = [parts[j], parts[i]];
      return parts.join('');
    }
    case 3: // replace a token
      parts[i] = vocabulary[pick(vocabulary.length)];
      return parts.join('');
    case 4: { // random bytes
      const at = pick(text.length + 1);
      return text.slice(0, at) + randomBytes(rand, 1 + pick(8)) + text.slice(at);
    }
    case 5: // truncate
      return text.slice(0, pick(text.length + 1));
    case 6: { // a very long line
      const at = pick(text.length + 1);
      const unit = ['a + ', 'x', '(', ')', '1, ', '# long comment ', 'moe(', '"'][pick(8)];
      return text.slice(0, at) + unit.repeat(300 + pick(2000)) + text.slice(at);
    }
    default: { // several mutations at once
      let t = text;
      for (let k = 0; k < 3; k++) t = mutate(t, rand);
      return t;
    }
  }
}


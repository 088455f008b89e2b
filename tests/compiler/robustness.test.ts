// Bad input never crashes the compiler: every prefix of every fixture, and
// random token swaps, load to diagnostics without throwing.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from './harness.ts';
import { selectModel, printResolvedSpec } from '../../compiler/index.ts';

const sources = ['check', 'resolve', 'compile']
  .flatMap((d) => fs.readdirSync(`tests/fixtures/${d}`).filter((f) => f.endsWith('.moe')).map((f) => `tests/fixtures/${d}/${f}`))
  .map((f) => fs.readFileSync(f, 'utf8'));

/** A small deterministic generator (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('robustness', () => {
  it('never throws on prefixes of the fixtures', () => {
    for (const text of sources) {
      for (let cut = 0; cut < text.length; cut += Math.max(1, Math.floor(text.length / 25))) {
        const p = check(text.slice(0, cut));
        expect(Array.isArray(p.diagnostics)).toBe(true);
        for (const name of p.entryModels) {
          const m = selectModel(p, name).value;
          if (m) printResolvedSpec(m);
        }
      }
    }
  });
  it('never throws when tokens are swapped for other tokens', () => {
    const next = random(42);
    const words = ['0', '-1', '1.5', '1e9', 'width', 'soft', 'model', '(', ')', ':', ',', '{', '}', '..', 'x', '"s"', 'true', '/', '0/0', '99999999'];
    for (const text of sources) {
      const tokens = text.split(/(\s+)/);
      for (let trial = 0; trial < 8; trial++) {
        const mutated = tokens.map((t) => (t.trim() && next() < 0.08 ? words[Math.floor(next() * words.length)] : t)).join('');
        expect(() => check(mutated, ['router.experts=0', 'depth=1'])).not.toThrow();
      }
    }
  });
});

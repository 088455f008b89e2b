// Every ```moe example of the language reference parses cleanly and formats stably.
import { describe, expect, it } from 'vitest';
import { format, parse } from '../../grammar/index.ts';
import { checkAstSpans, languageExamples, withoutSpans } from './helpers.ts';

const examples = languageExamples();

describe('docs/language.md examples', () => {
  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  for (const example of examples) {
    const name = `language.md:${example.line}`;
    it(`${name} parses without diagnostics`, () => {
      const { file, diagnostics } = parse(example.text, name);
      expect(diagnostics).toEqual([]);
      expect(file.declarations.length).toBeGreaterThan(0);
      checkAstSpans(file, example.text, name);
    });

    it(`${name} formats idempotently to the same AST`, () => {
      const once = format(example.text, name);
      expect(once.diagnostics).toEqual([]);
      expect(format(once.text, name).text).toBe(once.text);
      expect(withoutSpans(parse(once.text, name).file.declarations)).toEqual(withoutSpans(parse(example.text, name).file.declarations));
    });
  }
});

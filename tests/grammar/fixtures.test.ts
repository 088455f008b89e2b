// Golden fixtures: valid specs with their AST (spans included, written compactly) and canonical layout;
// invalid specs with their rendered diagnostics. Re-bless with `npx vitest run -u tests/grammar`.
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../diagnostics/diagnostic.ts';
import { renderDiagnostics } from '../../diagnostics/render.ts';
import { format, parse } from '../../grammar/index.ts';
import { astSnapshot, checkAstSpans, expectDiagnosticsInside, fixtures } from './helpers.ts';

describe('valid syntax fixtures', () => {
  for (const fx of fixtures('valid')) {
    it(`${fx.name} parses without diagnostics; AST matches ${basename(fx.name, '.moe')}.ast.json`, async () => {
      const { file, diagnostics } = parse(fx.text, fx.name);
      expect(diagnostics).toEqual([]);
      checkAstSpans(file, fx.text, fx.name);
      await expect(astSnapshot(file)).toMatchFileSnapshot(fx.path.replace(/\.moe$/, '.ast.json'));
    });

    it(`${fx.name} formats as in ${basename(fx.name, '.moe')}.formatted.moe`, async () => {
      const { text } = format(fx.text, fx.name);
      await expect(text).toMatchFileSnapshot(fx.path.replace(/\.moe$/, '.formatted.moe'));
    });
  }
});

describe('invalid syntax fixtures', () => {
  for (const fx of fixtures('invalid')) {
    it(`${fx.name} reports errors as in ${basename(fx.name, '.moe')}.diagnostics.txt`, async () => {
      const { diagnostics } = parse(fx.text, fx.name);
      expect(hasErrors(diagnostics)).toBe(true);
      expectDiagnosticsInside(diagnostics, fx.text, fx.name);
      for (const d of diagnostics) expect(d.code).toMatch(/^MOE01\d\d$/);
      const rendered = renderDiagnostics(diagnostics, new Map([[fx.name, fx.text]]));
      await expect(rendered).toMatchFileSnapshot(fx.path.replace(/\.moe$/, '.diagnostics.txt'));
    });
  }
});

// The public API of the .moe front end. Later phases use `parse` and the AST types only.
//
//   parse(text, path)   → { file: SpecFile, diagnostics }   (never throws)
//   format(text, path)  → { text, diagnostics }             (input unchanged when it has syntax errors)
//   printSpec(file)     → canonical text of an AST (comments in file.comments included)
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { hasErrors } from '../diagnostics/diagnostic.ts';
import { parse } from './parse.ts';
import { printSpec } from './printer.ts';

export { parse, type ParseResult } from './parse.ts';
export { printSpec, printExpression } from './printer.ts';
export { reservedWords } from './tokens.ts';
export type * from './ast.ts';

export interface FormatResult {
  readonly text: string;
  readonly diagnostics: Diagnostic[];
}

export function format(text: string, path: string): FormatResult {
  const { file, diagnostics } = parse(text, path);
  if (hasErrors(diagnostics)) return { text, diagnostics };
  return { text: printSpec(file), diagnostics };
}

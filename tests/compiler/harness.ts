// Test helpers: run the compiler on in-memory files or on fixture files and
// render the diagnostics the way the CLI does (no colour).
import * as fs from 'node:fs';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { renderDiagnostics } from '../../diagnostics/render.ts';
import { selectModel } from '../../compiler/index.ts';
import type { Program } from '../../compiler/index.ts';
import { compile } from '../../compiler/compile.ts';
import type { ResolvedModel } from '../../compiler/model.ts';

/** Loads `files[entry]` with the others reachable by import. */
export function programOf(files: Record<string, string>, entry = 'main.moe', overrides: string[] = [], model?: string): Program {
  return compile(entry, { readFile: (p) => files[p], overrides, select: false, ...(model ? { model } : {}) }).program;
}

/** A one-file program. */
export function check(text: string, overrides: string[] = []): Program {
  return programOf({ 'main.moe': text }, 'main.moe', overrides);
}

export function codes(diags: readonly Diagnostic[]): string[] {
  return diags.map((d) => d.code);
}

/** The only model of a one-file program that must check cleanly. */
export function modelOf(text: string, name?: string, overrides: string[] = []): ResolvedModel {
  const p = check(text, overrides);
  const errors = p.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(renderDiagnostics(errors, p.sources));
  const m = selectModel(p, name).value;
  if (!m) throw new Error('no model');
  return m;
}

/**
 * Runs a fixture (path relative to the repository root) and renders its
 * diagnostics. A first line `# flags: --set a=b --model m` passes those options.
 */
export function renderFixture(path: string): string {
  const text = fs.readFileSync(path, 'utf8');
  const flagLine = /^# flags: (.*)$/m.exec(text)?.[1] ?? '';
  const words = flagLine.split(/\s+/).filter(Boolean);
  const overrides: string[] = [];
  let model: string | undefined;
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--set') overrides.push(words[++i]);
    else if (words[i] === '--model') model = words[++i];
  }
  const c = compile(path, { overrides, select: model !== undefined, train: false, ...(model ? { model } : {}) });
  return renderDiagnostics(c.diagnostics, c.sources, { color: false });
}

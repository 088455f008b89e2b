// Loads an entry file and everything it imports (relative to the importing
// file). A missing file and an import cycle are reported at the import.
import * as nodePath from 'node:path';
import type { ImportDeclaration, SpecFile } from '../../grammar/ast.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../diagnostics/catalogue.ts';

export type ReadFile = (path: string) => string | undefined;
export type ParseFile = (text: string, path: string) => { file: SpecFile; diagnostics: Diagnostic[] };

export interface LoadedFiles {
  /** Parsed files in load order (entry first); only files that could be read. */
  readonly files: readonly SpecFile[];
  readonly sources: Map<string, string>;
  /** For each file, the files it imports (normalised paths). */
  readonly imports: ReadonlyMap<string, readonly string[]>;
  readonly diagnostics: Diagnostic[];
}

/** The path an import refers to, relative to the importing file's folder. */
export function importTarget(importer: string, imported: string): string {
  return nodePath.normalize(nodePath.join(nodePath.dirname(importer), imported));
}

export function loadFiles(entry: string, readFile: ReadFile, parse: ParseFile, entryText?: string): LoadedFiles {
  const files: SpecFile[] = [];
  const byPath = new Map<string, SpecFile | null>();
  const sources = new Map<string, string>();
  const imports = new Map<string, string[]>();
  const diagnostics: Diagnostic[] = [];

  const load = (path: string, text: string | undefined): SpecFile | null => {
    if (byPath.has(path)) return byPath.get(path) ?? null;
    if (text === undefined) {
      byPath.set(path, null);
      return null;
    }
    sources.set(path, text);
    const parsed = parse(text, path);
    for (const d of parsed.diagnostics) diagnostics.push(d);
    byPath.set(path, parsed.file);
    files.push(parsed.file);
    const targets: string[] = [];
    imports.set(path, targets);
    for (const decl of parsed.file.declarations) {
      if (decl.kind !== 'ImportDeclaration') continue;
      const target = importTarget(path, decl.path.value);
      targets.push(target);
      const already = byPath.has(target);
      const child = already ? byPath.get(target) : load(target, readFile(target));
      if (!child && !already) {
        diagnostics.push(
          diagnostic('MOE0201', `cannot read imported file '${decl.path.value}' (looked for ${target})`, decl.path.span, {
            help: 'import paths are relative to the importing file',
          }),
        );
      }
    }
    return parsed.file;
  };

  const entryFile = load(nodePath.normalize(entry), entryText ?? readFile(entry));
  if (entryFile) diagnostics.push(...findImportCycles(files));
  else diagnostics.push(diagnostic('MOE0201', `cannot read ${entry}: no such file, or it is not readable`, undefined, { help: 'check the path (it is relative to the current folder)' }));
  return { files, sources, imports, diagnostics };
}

/** Reports each import that closes a cycle, at that import statement, naming the cycle. */
function findImportCycles(files: readonly SpecFile[]): Diagnostic[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const out: Diagnostic[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: SpecFile): void => {
    state.set(file.path, 'visiting');
    stack.push(file.path);
    for (const decl of file.declarations) {
      if (decl.kind !== 'ImportDeclaration') continue;
      const target = importTarget(file.path, decl.path.value);
      const child = byPath.get(target);
      if (!child) continue;
      const s = state.get(target);
      if (s === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(target)), target];
        out.push(cycleDiagnostic(decl, cycle));
      } else if (s === undefined) visit(child);
    }
    stack.pop();
    state.set(file.path, 'done');
  };
  if (files[0]) visit(files[0]);
  return out;
}

function cycleDiagnostic(decl: ImportDeclaration, cycle: readonly string[]): Diagnostic {
  return diagnostic('MOE0202', `import cycle: ${cycle.join(' → ')}`, decl.span, {
    help: 'move the shared declarations into a file that both import',
  });
}

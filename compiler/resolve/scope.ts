// The global name table: every model, router and train declaration of the loaded
// files plus the standard presets. One namespace; a name declared twice is an
// error, except that a user declaration may shadow a standard preset.
import type { ModelDeclaration, RouterDeclaration, SpecFile, TrainDeclaration } from '../../grammar/ast.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../diagnostics/catalogue.ts';

export type NamedDeclaration = ModelDeclaration | RouterDeclaration | TrainDeclaration;

export interface DeclarationEntry {
  readonly decl: NamedDeclaration;
  /** The file that declares it. */
  readonly file: string;
  readonly preset: boolean;
}

export interface Scope {
  readonly entries: ReadonlyMap<string, DeclarationEntry>;
  get(name: string): DeclarationEntry | undefined;
  namesOf(kind: NamedDeclaration['kind']): string[];
}

export function kindWord(kind: NamedDeclaration['kind']): string {
  return kind === 'ModelDeclaration' ? 'model' : kind === 'RouterDeclaration' ? 'router' : 'train block';
}

export function buildScope(files: readonly SpecFile[], presets: SpecFile | undefined, out: Diagnostic[]): Scope {
  const entries = new Map<string, DeclarationEntry>();
  const add = (file: SpecFile, preset: boolean): void => {
    for (const decl of file.declarations) {
      if (decl.kind === 'ImportDeclaration') continue;
      const name = decl.name.name;
      const first = entries.get(name);
      if (first && !(first.preset && !preset)) {
        out.push(
          diagnostic('MOE0203', `'${name}' is declared twice`, decl.name.span, {
            notes: [{ message: `first declared here as a ${kindWord(first.decl.kind)}`, span: first.decl.name.span }],
            help: 'rename one of the two declarations',
          }),
        );
        continue;
      }
      entries.set(name, { decl, file: file.path, preset });
    }
  };
  if (presets) add(presets, true);
  for (const f of files) add(f, false);
  return {
    entries,
    get: (name) => entries.get(name),
    namesOf: (kind) => [...entries.entries()].filter(([, e]) => e.decl.kind === kind).map(([n]) => n),
  };
}

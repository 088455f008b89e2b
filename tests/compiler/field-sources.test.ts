// Field provenance (Program.fieldSources): which declaration gave each model field
// its value — the model's own, a base's through `extends`, a standard preset's, or
// `--set` — with the fields it replaced. Editors show this on hover.
import { describe, expect, it } from 'vitest';
import { PRESETS_FILE } from '../../compiler/index.ts';
import { check, programOf } from './harness.ts';

const text = `model base extends vit_s16 {
  width: 192
  depth: 6
}

model child extends base {
  depth: 4
  mlp:   2 * width
}
`;

function sourcesOf(model: string, field: string, overrides: string[] = []) {
  const p = check(text, overrides);
  return (p.fieldSources.get(model)?.get(field) ?? []).map((s) => ({ model: s.model, preset: s.preset, file: s.field.span.file, line: s.field.span.start.line }));
}

describe('field sources', () => {
  it('names the model whose declaration set the field and the base fields it replaced', () => {
    expect(sourcesOf('child', 'depth')).toEqual([
      { model: 'child', preset: false, file: 'main.moe', line: 7 },
      { model: 'base', preset: false, file: 'main.moe', line: 3 },
      expect.objectContaining({ model: 'vit_s16', preset: true, file: PRESETS_FILE }),
    ]);
  });

  it('follows an inherited field to the base that set it', () => {
    expect(sourcesOf('child', 'width')[0]).toEqual({ model: 'base', preset: false, file: 'main.moe', line: 2 });
    expect(sourcesOf('child', 'heads')).toEqual([expect.objectContaining({ model: 'vit_s16', preset: true, file: PRESETS_FILE })]);
  });

  it('puts a --set override first', () => {
    const s = sourcesOf('child', 'depth', ['depth=2']);
    expect(s[0]).toEqual({ model: undefined, preset: false, file: '<--set>', line: 1 });
    expect(s[1]).toEqual({ model: 'child', preset: false, file: 'main.moe', line: 7 });
  });

  it('has no source for a field left at its default', () => {
    expect(sourcesOf('child', 'dropout')).toEqual([]);
    expect(check(text).fieldSources.get('child')?.has('dropout')).toBe(false);
  });

  it('keeps the parsed files, the presets included', () => {
    const p = programOf({ 'main.moe': 'import "lib.moe"\nmodel m extends vit_ti16 {}\n', 'lib.moe': 'router r = soft(experts: 4)\n' });
    expect([...p.files.keys()].sort()).toEqual([PRESETS_FILE, 'lib.moe', 'main.moe'].sort());
    expect(p.files.get('lib.moe')?.declarations[0].kind).toBe('RouterDeclaration');
  });
});

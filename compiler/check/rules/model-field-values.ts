// Every model field has the type and range of language.md §3.3 (integer fields
// need exact integer arithmetic).
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { readValue } from '../read.ts';
import { MODEL_FIELDS } from '../schema.ts';
import type { ModelRule } from '../rule.ts';

export const modelFieldValues: ModelRule = {
  name: 'model-field-values',
  check(ctx) {
    const out: Diagnostic[] = [];
    const fieldNames = [...ctx.fields.keys()];
    for (const f of ctx.fields.values()) {
      const spec = MODEL_FIELDS[f.name];
      if (!spec) continue;
      out.push(...readValue(spec.type, f.value, `field '${f.name}'`, { fieldNames }).diagnostics);
    }
    return out;
  },
};

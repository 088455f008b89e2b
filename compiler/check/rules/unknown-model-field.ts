// Every field of a model must be one language.md §3.3 defines.
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { didYouMean } from '../../../diagnostics/suggest.ts';
import { MODEL_FIELDS } from '../schema.ts';
import type { ModelRule } from '../rule.ts';

export const unknownModelField: ModelRule = {
  name: 'unknown-model-field',
  check(ctx) {
    const out = [];
    for (const f of ctx.fields.values()) {
      if (f.name in MODEL_FIELDS) continue;
      const help = didYouMean(f.name, Object.keys(MODEL_FIELDS));
      out.push(
        diagnostic('MOE0234', `unknown model field '${f.name}'`, f.nameSpan, {
          help: help ?? `model fields are ${Object.keys(MODEL_FIELDS).join(', ')}`,
          ...(help ? { suggestion: { replacement: help.split("'")[1] } } : {}),
        }),
      );
    }
    return out;
  },
};

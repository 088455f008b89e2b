// The fields without a default (image, patch, width, depth, heads, mlp, classes) must be given.
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { MODEL_FIELDS } from '../schema.ts';
import type { ModelRule } from '../rule.ts';

export const requiredModelField: ModelRule = {
  name: 'required-model-field',
  check(ctx) {
    const missing = Object.entries(MODEL_FIELDS)
      .filter(([name, spec]) => spec.required && !ctx.fields.has(name))
      .map(([name, spec]) => `${name} (${spec.doc})`);
    if (missing.length === 0) return [];
    return [
      diagnostic('MOE0303', `model '${ctx.name}' is missing ${missing.length === 1 ? 'the field' : 'the fields'} ${missing.join(', ')}`, ctx.decl.name.span, {
        help: `give ${missing.length === 1 ? 'it' : 'them'} in the model, or extend a preset such as vit_s16`,
      }),
    ];
  },
};

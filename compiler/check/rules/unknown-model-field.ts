// Every field of a model must be one language.md §3.3 defines.
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { didYouMean } from '../../../diagnostics/suggest.ts';
import { MODEL_FIELDS, ROUTER_PARAMS, TRAIN_FIELDS } from '../schema.ts';
import type { ModelRule } from '../rule.ts';

export const unknownModelField: ModelRule = {
  name: 'unknown-model-field',
  check(ctx) {
    const out = [];
    for (const f of ctx.fields.values()) {
      if (f.name in MODEL_FIELDS) continue;
      // A field of another block is a misplacement, not a typo.
      const help = f.name in TRAIN_FIELDS || f.name in ROUTER_PARAMS ? undefined : didYouMean(f.name, Object.keys(MODEL_FIELDS));
      out.push(
        diagnostic('MOE0234', `unknown model field '${f.name}'`, f.nameSpan, {
          help:
            help ??
            (f.name in TRAIN_FIELDS
              ? `'${f.name}' is a field of train blocks: write it in \`train NAME { … }\``
              : f.name in ROUTER_PARAMS
                ? `'${f.name}' is a router parameter: write it in the router, e.g. moe(soft(${f.name}: …))`
                : `model fields are ${Object.keys(MODEL_FIELDS).join(', ')}`),
          ...(help ? { suggestion: { replacement: help.split("'")[1] } } : {}),
        }),
      );
    }
    return out;
  },
};

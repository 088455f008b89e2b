// Every field of a train block must be one language.md §3.5 defines.
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { didYouMean } from '../../../diagnostics/suggest.ts';
import { MODEL_FIELDS, TRAIN_FIELDS } from '../schema.ts';
import type { TrainRule } from '../rule.ts';

export const unknownTrainField: TrainRule = {
  name: 'unknown-train-field',
  check(ctx) {
    const out = [];
    for (const f of ctx.fields.values()) {
      if (f.name in TRAIN_FIELDS) continue;
      const help = f.name in MODEL_FIELDS ? undefined : didYouMean(f.name, Object.keys(TRAIN_FIELDS));
      out.push(
        diagnostic('MOE0235', `unknown train field '${f.name}'`, f.nameSpan, {
          help:
            help ??
            (f.name in MODEL_FIELDS
              ? `'${f.name}' is a model field: write it in the model (or use --set ${f.name}=…)`
              : `train fields are ${Object.keys(TRAIN_FIELDS).join(', ')}`),
          ...(help ? { suggestion: { replacement: help.split("'")[1] } } : {}),
        }),
      );
    }
    return out;
  },
};

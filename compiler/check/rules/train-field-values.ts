// Every train field, and the arguments of data / optimizer / schedule calls, has
// the type and range of language.md §3.5.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { readValue } from '../read.ts';
import { TRAIN_FIELDS } from '../schema.ts';
import type { TrainRule } from '../rule.ts';

export const trainFieldValues: TrainRule = {
  name: 'train-field-values',
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const f of ctx.fields.values()) {
      const spec = TRAIN_FIELDS[f.name];
      if (spec) out.push(...readValue(spec.type, f.value, `field '${f.name}'`).diagnostics);
    }
    return out;
  },
};

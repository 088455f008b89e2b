// Training length is given by `steps` or by `epochs`, not both.
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import type { TrainRule } from '../rule.ts';

export const stepsEpochs: TrainRule = {
  name: 'steps-epochs',
  check(ctx) {
    const steps = ctx.fields.get('steps');
    const epochs = ctx.fields.get('epochs');
    if (!steps || !epochs) return [];
    const later = steps.nameSpan.start.offset > epochs.nameSpan.start.offset ? steps : epochs;
    const earlier = later === steps ? epochs : steps;
    return [
      diagnostic('MOE0315', '`steps` and `epochs` are both given', later.nameSpan, {
        notes: [{ message: `${earlier.name} given here`, span: earlier.nameSpan }],
        help: 'keep one of the two',
      }),
    ];
  },
};

// A bundled dataset with more classes than the model's `classes` cannot be trained
// (labels past the last logit). Checked at run time too (MOE0511) for idx and folder
// data, whose class count is known only from the files.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { dataFacts } from '../data-facts.ts';
import { fieldOrTrainSpan, type ProgramRule } from '../program-rule.ts';

export const dataClasses: ProgramRule = {
  name: 'data-classes',
  check(ctx) {
    const out: Diagnostic[] = [];
    const { classes } = dataFacts(ctx.train.data);
    if (classes === undefined || classes <= ctx.model.classes) return out;
    out.push(
      diagnostic('MOE0322', `${ctx.train.data.kind} has ${classes} classes but model '${ctx.model.name}' has ${ctx.model.classes}`, fieldOrTrainSpan(ctx, 'data'), {
        help: `set classes: ${classes} in model '${ctx.model.name}'`,
        ...(ctx.modelSpan ? { notes: [{ message: `model '${ctx.model.name}' declared here`, span: ctx.modelSpan }] } : {}),
      }),
    );
    return out;
  },
};

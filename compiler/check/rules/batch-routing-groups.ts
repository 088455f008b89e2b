// The train block's batch fits the model's routing groups: a group that spans
// several images needs whole groups in every batch (else the run would stop at its
// first step). Reviewed case: 4 tokens per image, group 8, batch 7.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { batchMultiple } from '../batch-multiple.ts';
import { describeField, fieldOrTrainSpan, type ProgramRule } from '../program-rule.ts';

export const batchRoutingGroups: ProgramRule = {
  name: 'batch-routing-groups',
  check(ctx) {
    const out: Diagnostic[] = [];
    const { multiple, block } = batchMultiple(ctx.model);
    const batch = ctx.train.batch;
    if (!block || batch % multiple === 0) return out;
    const lower = Math.floor(batch / multiple) * multiple;
    const upper = lower + multiple;
    const fits = lower > 0 ? `batch: ${lower} or batch: ${upper}` : `batch: ${upper}`;
    out.push(
      diagnostic(
        'MOE0321',
        `${describeField(ctx, 'batch', batch)} does not fit model '${ctx.model.name}': block ${block.index} routes groups of ${block.group} tokens, ${block.images} images of ${ctx.model.tokens} tokens, so the batch must be a multiple of ${multiple}`,
        fieldOrTrainSpan(ctx, 'batch'),
        {
          help: `use ${fits}, or a routing group that divides the ${ctx.model.tokens} tokens of one image`,
          ...(ctx.modelSpan ? { notes: [{ message: `model '${ctx.model.name}' declared here`, span: ctx.modelSpan }] } : {}),
        },
      ),
    );
    return out;
  },
};

// The dataset's images fit the model's `image` channels: greyscale feeds a colour
// model (the channel is repeated) but colour data is never silently turned grey, and
// images have 1 or 3 channels. Sizes always fit (the loaders resize).
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { channelsFit, dataFacts } from '../data-facts.ts';
import { fieldOrTrainSpan, type ProgramRule } from '../program-rule.ts';

export const dataImage: ProgramRule = {
  name: 'data-image',
  check(ctx) {
    const out: Diagnostic[] = [];
    const [h, w, c] = ctx.model.image;
    const { channels } = dataFacts(ctx.train.data);
    const kind = ctx.train.data.kind;
    const notes = ctx.modelSpan ? { notes: [{ message: `model '${ctx.model.name}' declared here`, span: ctx.modelSpan }] } : {};
    if (c !== 1 && c !== 3) {
      out.push(
        diagnostic('MOE0323', `model '${ctx.model.name}' takes images of ${c} channels, but ${kind} (like every image source) has 1 (greyscale) or 3 (colour)`, fieldOrTrainSpan(ctx, 'data'), {
          help: `set image: ${h}x${w}x${channels ?? 3} in model '${ctx.model.name}'`,
          ...notes,
        }),
      );
    } else if (channels !== undefined && !channelsFit(channels, c)) {
      out.push(
        diagnostic('MOE0323', `${kind} images have ${channels} channels but model '${ctx.model.name}' takes ${c}`, fieldOrTrainSpan(ctx, 'data'), {
          help: `set image: ${h}x${w}x${channels} in model '${ctx.model.name}' (colour images are never converted to greyscale)`,
          ...notes,
        }),
      );
    }
    return out;
  },
};

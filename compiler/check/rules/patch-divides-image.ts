// Each patch side divides the matching image side (language.md §3.3).
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import type { ModelRule } from '../rule.ts';

export const patchDividesImage: ModelRule = {
  name: 'patch-divides-image',
  check(ctx) {
    const m = ctx.typed;
    if (!m.image || !m.patch) return [];
    const [h, w] = m.image;
    const [ph, pw] = m.patch;
    if (h % ph === 0 && w % pw === 0) return [];
    const span = ctx.fields.get('patch')!.value.span;
    const side = h % ph !== 0 ? `height ${h} by ${ph}` : `width ${w} by ${pw}`;
    return [
      diagnostic('MOE0305', `patch ${ph}x${pw} does not divide image ${h}x${w}: cannot split ${side}`, span, {
        notes: [{ message: 'image size given here', span: ctx.fields.get('image')!.value.span }],
      }),
    ];
  },
};

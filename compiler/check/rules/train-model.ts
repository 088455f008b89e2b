// A train block names a declared model, or its file declares exactly one.
import type { Diagnostic } from '../../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../../diagnostics/catalogue.ts';
import { didYouMean } from '../../../diagnostics/suggest.ts';
import { kindWord } from '../../resolve/scope.ts';
import type { TrainRule } from '../rule.ts';

export const trainModel: TrainRule = {
  name: 'train-model',
  check(ctx, env) {
    const out: Diagnostic[] = [];
    const field = ctx.fields.get('model');
    if (!field) {
      if (env.fileModels.length !== 1) {
        out.push(
          diagnostic(
            'MOE0210',
            env.fileModels.length === 0
              ? `train block '${ctx.name}' names no model and its file declares none`
              : `train block '${ctx.name}' names no model and its file declares ${env.fileModels.length}: ${env.fileModels.join(', ')}`,
            ctx.decl.name.span,
            { help: `add a field such as \`model: ${env.fileModels[0] ?? 'vit_s16'}\`` },
          ),
        );
      }
      return out;
    }
    if (field.value.kind !== 'symbol') return out; // a type error, reported by train-field-values
    const name = field.value.name;
    const entry = env.scope.get(name);
    if (!entry) {
      const help = didYouMean(name, env.scope.namesOf('ModelDeclaration'));
      out.push(diagnostic('MOE0204', `unknown model '${name}'`, field.value.span, help ? { help, suggestion: { replacement: help.split("'")[1] } } : {}));
    } else if (entry.decl.kind !== 'ModelDeclaration') {
      out.push(
        diagnostic('MOE0213', `'${name}' is a ${kindWord(entry.decl.kind)}, not a model`, field.value.span, {
          notes: [{ message: 'declared here', span: entry.decl.name.span }],
        }),
      );
    }
    return out;
  },
};

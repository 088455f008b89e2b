// The shape of a check: one rule per file in rules/, each a pure function from
// an evaluated declaration (and its typed view) to diagnostics.
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import type { ModelContext, TrainContext } from '../resolve/model-context.ts';
import type { Scope } from '../resolve/scope.ts';
import type { CheckContext } from './context.ts';

export type { RouterRule, CheckedRouter, RouterCheckContext } from '../routers/index.ts';

export interface ModelRule {
  readonly name: string;
  check(ctx: CheckContext): Diagnostic[];
}

export interface TrainEnvironment {
  readonly scope: Scope;
  /** Models declared in the train block's own file. */
  readonly fileModels: readonly string[];
}

export interface TrainRule {
  readonly name: string;
  check(ctx: TrainContext, env: TrainEnvironment): Diagnostic[];
}

/** Whether a field was written in the model's own declaration (or by --set), not inherited. */
export function isOwnField(ctx: ModelContext, field: { readonly nameSpan: Span }): boolean {
  const s = field.nameSpan;
  const d = ctx.decl.span;
  return s.file !== d.file ? s.file === '<--set>' : s.start.offset >= d.start.offset && s.end.offset <= d.end.offset;
}

// The shape of a check: one rule per file in rules/, each a pure function from
// an evaluated declaration to diagnostics.
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import type { ModelContext, TrainContext, EvaluatedRule, RouterUse } from '../resolve/model-context.ts';
import type { Scope } from '../resolve/scope.ts';

export interface ModelRule {
  readonly name: string;
  check(ctx: ModelContext): Diagnostic[];
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

export interface MoeUse {
  readonly rule: EvaluatedRule;
  readonly router: RouterUse;
}

/** Every MoE rule with a resolved router, in order. */
export function moeUses(ctx: ModelContext): MoeUse[] {
  const out: MoeUse[] = [];
  for (const r of ctx.rules) if (r.layer.kind === 'moe' && r.layer.router) out.push({ rule: r, router: r.layer.router });
  return out;
}

/** Whether a field was written in the model's own declaration (or by --set), not inherited. */
export function isOwnField(ctx: ModelContext, field: { readonly nameSpan: Span }): boolean {
  const s = field.nameSpan;
  const d = ctx.decl.span;
  return s.file !== d.file ? s.file === '<--set>' : s.start.offset >= d.start.offset && s.end.offset <= d.end.offset;
}

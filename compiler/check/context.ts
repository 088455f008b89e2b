// The typed view of a model the checks share (graphql-js TypeInfo's role): typed
// fields, tokens per image, and every router use with its definition, settings
// and capacity — computed once per model and passed to every rule, instead of
// each rule re-reading the untyped values.
import type { Span } from '../../diagnostics/diagnostic.ts';
import type { EvaluatedRule, ModelContext, RouterUse } from '../resolve/model-context.ts';
import { routerDefinition } from '../routers/index.ts';
import type { CheckedRouter, RouterCheckContext } from '../routers/index.ts';
import { routerArgs, routerSettings } from '../routers/settings.ts';
import { tokensOf, typedModelFields } from './derive.ts';
import type { TypedModelFields } from './derive.ts';

/** A router used by a block rule of the model. */
export interface CheckedModelRouter extends CheckedRouter {
  readonly rule: EvaluatedRule;
}

export interface CheckContext extends ModelContext, RouterCheckContext {
  /** The valid fields, defaults filled in. */
  readonly typed: TypedModelFields;
  /** Every MoE rule with a resolved router, in order. */
  readonly routers: readonly CheckedModelRouter[];
}

/** One router, typed against its family's table; `tokens` undefined without a model. */
export function checkedRouter(use: RouterUse, span: Span, tokens: number | undefined): CheckedRouter {
  const call = use.call.kind === 'call' ? use.call : undefined;
  const definition = call ? routerDefinition(call.callee) : undefined;
  const args = call ? routerArgs(call) : new Map();
  if (!definition) return { use, span, args, ...(call ? { call } : {}) };
  const settings = routerSettings(definition, args, tokens);
  const capacity = definition.capacity(settings);
  return { use, span, call, definition, args, settings, ...(capacity ? { capacity } : {}) };
}

const cache = new WeakMap<ModelContext, CheckContext>();

/** The check context of a model (computed once; the context is immutable). */
export function checkContext(model: ModelContext): CheckContext {
  const cached = cache.get(model);
  if (cached) return cached;
  const typed = typedModelFields(model);
  const tokens = tokensOf(typed);
  const routers: CheckedModelRouter[] = [];
  for (const rule of model.rules) {
    if (rule.layer.kind === 'moe' && rule.layer.router) routers.push({ ...checkedRouter(rule.layer.router, rule.layer.span, tokens), rule });
  }
  const ctx: CheckContext = { ...model, typed, ...(tokens !== undefined ? { tokens } : {}), fieldNames: [...model.fields.keys()], routers };
  cache.set(model, ctx);
  return ctx;
}

// Runs every rule over a model or train context. The order is only cosmetic;
// diagnostics are sorted by position afterwards.
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { RouterDeclaration } from '../../grammar/ast.ts';
import type { ModelContext, TrainContext } from '../resolve/model-context.ts';
import { emptyEnvironment, evaluate } from '../resolve/values.ts';
import type { CallValue } from '../resolve/values.ts';
import type { ModelRule, RouterRule, TrainEnvironment, TrainRule, CheckedRouter, RouterCheckContext } from './rule.ts';
import { checkContext, checkedRouter } from './context.ts';
import { unknownModelField } from './rules/unknown-model-field.ts';
import { requiredModelField } from './rules/required-model-field.ts';
import { modelFieldValues } from './rules/model-field-values.ts';
import { patchDividesImage } from './rules/patch-divides-image.ts';
import { headsDivideWidth } from './rules/heads-divide-width.ts';
import { blockSelectors } from './rules/block-selectors.ts';
import { overriddenRule } from './rules/overridden-rule.ts';
import { routerKind } from './rules/router-kind.ts';
import { routerParams } from './rules/router-params.ts';
import { routerParamValues } from './rules/router-param-values.ts';
import { capacity } from './rules/capacity.ts';
import { groupTokens } from './rules/group-tokens.ts';
import { moeArguments } from './rules/moe-arguments.ts';
import { unknownTrainField } from './rules/unknown-train-field.ts';
import { trainFieldValues } from './rules/train-field-values.ts';
import { stepsEpochs } from './rules/steps-epochs.ts';
import { trainModel } from './rules/train-model.ts';
import { batchRoutingGroups } from './rules/batch-routing-groups.ts';
import { dataClasses } from './rules/data-classes.ts';
import { dataImage } from './rules/data-image.ts';
import type { ProgramRule, ProgramRuleContext } from './program-rule.ts';

export const MODEL_RULES: readonly ModelRule[] = [
  unknownModelField,
  requiredModelField,
  modelFieldValues,
  patchDividesImage,
  headsDivideWidth,
  blockSelectors,
  overriddenRule,
  moeArguments,
];

/** Rules every router runs, whatever its family; each family adds its own (RouterDefinition.rules). */
export const ROUTER_RULES: readonly RouterRule[] = [routerKind, routerParams, routerParamValues, capacity, groupTokens];

export const TRAIN_RULES: readonly TrainRule[] = [unknownTrainField, trainFieldValues, stepsEpochs, trainModel];

/** Rules across declarations: a train block with its resolved model. */
export const PROGRAM_RULES: readonly ProgramRule[] = [batchRoutingGroups, dataClasses, dataImage];

export function checkProgramRules(ctx: ProgramRuleContext, rules: readonly ProgramRule[] = PROGRAM_RULES): Diagnostic[] {
  return rules.flatMap((r) => r.check(ctx));
}

/** The shared router rules, then the family's own. */
export function checkRouter(router: CheckedRouter, ctx: RouterCheckContext): Diagnostic[] {
  const rules = [...ROUTER_RULES, ...(router.definition?.rules ?? [])];
  return rules.flatMap((r) => r.check(router, ctx));
}

export function checkModel(model: ModelContext, rules: readonly ModelRule[] = MODEL_RULES): Diagnostic[] {
  const ctx = checkContext(model);
  return [...rules.flatMap((r) => r.check(ctx)), ...ctx.routers.flatMap((r) => checkRouter(r, ctx))];
}

export function checkTrain(ctx: TrainContext, env: TrainEnvironment, rules: readonly TrainRule[] = TRAIN_RULES): Diagnostic[] {
  return rules.flatMap((r) => r.check(ctx, env));
}

/** Checks a `router NAME = KIND(ARGS)` declaration on its own: no model, so no tokens (capacity and group wait for a use). */
export function checkRouterDeclaration(decl: RouterDeclaration, _file?: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const call = evaluate(decl.value, emptyEnvironment, out);
  const router = checkedRouter({ declaredName: decl.name.name, call: call as CallValue }, decl.value.span, undefined);
  return [...out, ...checkRouter(router, { fieldNames: [] })];
}

// Runs every rule over a model or train context. The order is only cosmetic;
// diagnostics are sorted by position afterwards.
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { RouterDeclaration } from '../../grammar/ast.ts';
import type { ModelContext, TrainContext } from '../resolve/model-context.ts';
import { emptyEnvironment, evaluate } from '../resolve/values.ts';
import type { CallValue } from '../resolve/values.ts';
import type { ModelRule, TrainEnvironment, TrainRule } from './rule.ts';
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
import { sparsityNormalize } from './rules/sparsity-normalize.ts';
import { kWithinExperts } from './rules/k-within-experts.ts';
import { capacity } from './rules/capacity.ts';
import { groupTokens } from './rules/group-tokens.ts';
import { softSlotsCapacity } from './rules/soft-slots-capacity.ts';
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
  routerKind,
  routerParams,
  routerParamValues,
  sparsityNormalize,
  kWithinExperts,
  capacity,
  groupTokens,
  softSlotsCapacity,
  moeArguments,
];

export const TRAIN_RULES: readonly TrainRule[] = [unknownTrainField, trainFieldValues, stepsEpochs, trainModel];

/** Rules across declarations: a train block with its resolved model. */
export const PROGRAM_RULES: readonly ProgramRule[] = [batchRoutingGroups, dataClasses, dataImage];

export function checkProgramRules(ctx: ProgramRuleContext, rules: readonly ProgramRule[] = PROGRAM_RULES): Diagnostic[] {
  return rules.flatMap((r) => r.check(ctx));
}

export function checkModel(ctx: ModelContext): Diagnostic[] {
  return MODEL_RULES.flatMap((r) => r.check(ctx));
}

export function checkTrain(ctx: TrainContext, env: TrainEnvironment): Diagnostic[] {
  return TRAIN_RULES.flatMap((r) => r.check(ctx, env));
}

/** The rules that concern a router alone (no model): run on every declared router, used or not. */
export const ROUTER_RULES: readonly ModelRule[] = [routerKind, routerParams, routerParamValues, sparsityNormalize, kWithinExperts];

/** Checks a `router NAME = KIND(ARGS)` declaration on its own. */
export function checkRouterDeclaration(decl: RouterDeclaration, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const call = evaluate(decl.value, emptyEnvironment, out) as CallValue;
  // A context holding only this router: the router rules read nothing else.
  const ctx: ModelContext = {
    name: decl.name.name,
    decl: { kind: 'ModelDeclaration', name: decl.name, members: [], span: decl.span },
    file,
    fields: new Map(),
    rules: [{ rule: undefined as never, layer: { kind: 'moe', span: decl.value.span, router: { declaredName: decl.name.name, call }, args: [] } }],
  };
  return [...out, ...ROUTER_RULES.flatMap((r) => r.check(ctx))];
}

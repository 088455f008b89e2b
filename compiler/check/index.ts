// Runs every rule over a model or train context. The order is only cosmetic;
// diagnostics are sorted by position afterwards.
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { ModelContext, TrainContext } from '../resolve/model-context.ts';
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

export function checkModel(ctx: ModelContext): Diagnostic[] {
  return MODEL_RULES.flatMap((r) => r.check(ctx));
}

export function checkTrain(ctx: TrainContext, env: TrainEnvironment): Diagnostic[] {
  return TRAIN_RULES.flatMap((r) => r.check(ctx, env));
}

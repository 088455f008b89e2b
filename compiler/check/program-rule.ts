// Rules that see across declarations: a train block together with the resolved
// model it trains (batch vs routing groups, data classes and images vs the model).
// They run after models resolve (compiler/program.ts checkPrograms), and again in
// compile() when command-line flags change the pair (--batch, --model).
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import type { ResolvedModel, ResolvedTrain } from '../model.ts';

export interface ProgramRuleContext {
  readonly model: ResolvedModel;
  readonly train: ResolvedTrain;
  /** Where the train block wrote a field's value; undefined for a default or a command-line flag. */
  fieldSpan(field: string): Span | undefined;
  /** Whether a command-line flag (--batch, …) set this field. */
  fromFlag(field: string): boolean;
  /** The train block's name in its declaration (absent for default train settings). */
  readonly trainSpan?: Span;
  /** The model's name in its declaration. */
  readonly modelSpan?: Span;
}

export interface ProgramRule {
  readonly name: string;
  check(ctx: ProgramRuleContext): Diagnostic[];
}

/** How a diagnostic names where a train field came from: `--batch 7`, `batch 7` or `the default batch 32`. */
export function describeField(ctx: ProgramRuleContext, field: string, value: string | number): string {
  if (ctx.fromFlag(field)) return `--${field} ${value}`;
  if (ctx.fieldSpan(field)) return `${field} ${value}`;
  return `the default ${field} ${value}`;
}

/** The span a diagnostic about a train field points at: the field, else the train block's name. */
export function fieldOrTrainSpan(ctx: ProgramRuleContext, field: string): Span | undefined {
  return ctx.fieldSpan(field) ?? (ctx.fromFlag(field) ? undefined : ctx.trainSpan);
}

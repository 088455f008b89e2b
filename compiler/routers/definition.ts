// What a router family is (issue 11, review P2): its parameters with types,
// defaults and docs; how checked parameters resolve to a config and a capacity;
// its own check rules; its lowering; its cost; how it prints. One file per family
// in this folder exports one `RouterDefinition`; `index.ts` collects them in `ROUTERS`.
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import type { GraphBuilder, Ref } from '../graph/builder.ts';
import type { RouterDecision, RoutingShape } from '../lower/routers/common.ts';
import type { RouterUse } from '../resolve/model-context.ts';
import type { ArgValue, CallValue } from '../resolve/values.ts';
import type { ParamSpec, Typed } from '../check/types.ts';
import type { Rounding, RouterFamilies, RouterFamily } from './config.ts';

export interface RouterParam extends ParamSpec {
  /** Only meaningful with these values of the family's `normalize` parameter. */
  readonly normalizers?: readonly string[];
  /** Values outside the type that one of the family's own rules explains (the shared value check skips them). */
  readonly explained?: readonly string[];
}

/** A router's parameters after the defaults fold (language.md §4): every parameter given or defaulted. */
export interface RouterSettings {
  readonly family: RouterFamily;
  /** Valid given values, else defaults; a parameter with neither (e.g. a missing `experts`) is absent. */
  readonly values: ReadonlyMap<string, Typed>;
  /** The parameters written in the call (valid or not). */
  readonly given: ReadonlySet<string>;
  readonly experts?: number;
  /** Tokens per routing group; undefined when read without a model (a router declaration on its own). */
  readonly group?: number;
  num(name: string): number;
  str(name: string): string;
  bool(name: string): boolean;
}

/** vmoe's compute_capacity result (capacity.ts). */
export interface CapacityResult {
  /** Before multiple_of. */
  readonly raw: number;
  /** Slots per expert per group. */
  readonly capacity: number;
  /** c' such that the slots equal the balanced share exactly: C·E / tokens. */
  readonly effectiveFactor: number;
}

/** Slots per expert per group and what went into them, for the capacity rule's messages. */
export interface RouterCapacity extends CapacityResult {
  /** The tokens the slots share, for messages: `S = 196` or `S·k = 196·2`. */
  readonly tokensText: string;
  readonly numTokens: number;
  /** The capacity factor (given or default). */
  readonly factor: number;
  /** The factor as the user wrote it, when rounding it is worth a warning; undefined otherwise. */
  readonly requested?: number;
  readonly rounding: Rounding;
  readonly multipleOf: number;
  /** Most slots an expert can fill in a group (expert choice: the group size); undefined: no limit. */
  readonly limit?: number;
}

/** One router as the checks see it: a use in a model (or a declaration on its own), typed once. */
export interface CheckedRouter {
  readonly use: RouterUse;
  /** The MoE layer (or the declaration's value) the router belongs to. */
  readonly span: Span;
  /** The router call, when the router is a call at all. */
  readonly call?: CallValue;
  /** Its family's definition, when the callee names one. */
  readonly definition?: RouterDefinition;
  /** Named arguments by name (the first of duplicates). */
  readonly args: ReadonlyMap<string, ArgValue>;
  readonly settings?: RouterSettings;
  /** Resolved capacity, when the family, `experts` and the model's tokens are known. */
  readonly capacity?: RouterCapacity;
}

/** What a router rule sees of the model around the router. */
export interface RouterCheckContext {
  /** Tokens per image; undefined for a router declaration checked on its own, or a model whose patch is invalid. */
  readonly tokens?: number;
  /** The model's field names (suggestions for a misspelt field used as a value). */
  readonly fieldNames: readonly string[];
}

export interface RouterRule {
  readonly name: string;
  check(router: CheckedRouter, ctx: RouterCheckContext): Diagnostic[];
}

/** One router kind as the docs' router table describes it. */
export interface RouterKindInfo {
  /** The paper's name, e.g. "Sinkhorn Token Choice". */
  readonly name: string;
  /** The study charts' abbreviation, e.g. "Sinkhorn TC". */
  readonly short: string;
  /** How it is written, e.g. `token_choice(normalize: sinkhorn)`. */
  readonly spelling: string;
  readonly selects: string;
  readonly combine: string;
  readonly aux: string;
  /** The kind with E experts at about a dense MLP's compute on T tokens (the router-layer benchmark, runtime/bench/layers.ts). */
  bench(experts: number, tokens: number): string;
}

type Config<F extends RouterFamily> = RouterFamilies[F]['config'];
type Kind<F extends RouterFamily> = RouterFamilies[F]['kind'];

export interface RouterDefinition<F extends RouterFamily = RouterFamily> {
  readonly family: F;
  /** Human name, e.g. "Soft MoE". */
  readonly label: string;
  /** One sentence for the docs' router table. */
  readonly doc: string;
  /** Where the product's routers.md describes it (a baseline outside the paper has none). */
  readonly reference?: string;
  /** A short valid call, for help texts. */
  readonly example: string;
  /** In the order they print and are documented. */
  readonly params: Readonly<Record<string, RouterParam>>;
  /** Slots per expert per group; undefined without `experts` or a group. */
  capacity(s: RouterSettings): RouterCapacity | undefined;
  /** The checked config of a router whose parameters and capacity checked clean. */
  resolve(s: RouterSettings, capacity: RouterCapacity): Config<F>;
  /** Slots per expert per group of the lowered layer (C, or P for Soft MoE). */
  slots(c: Config<F>): number;
  /** How many experts' parameters a token uses on average (cost model, active parameters). */
  expertsPerToken(c: Config<F>): number;
  /** The paper name of this configuration (router cases, reports, graphs). */
  kind(c: Config<F>): Kind<F>;
  /** Every kind this family can report, described for the docs and the study charts. */
  readonly kinds: Readonly<Record<Kind<F>, RouterKindInfo>>;
  /** The arguments of `family(…)` that read back as the same config, every default written out. */
  format(c: Config<F>): string[];
  /** The router's decision for tokens x2d [G·S, d] (called inside the `router` scope). */
  lower(b: GraphBuilder, x2d: Ref, c: Config<F>, shape: RoutingShape): RouterDecision;
  /** Checks of this family only; the shared router rules (compiler/check/rules) run on every router. */
  readonly rules: readonly RouterRule[];
}

/** Identity with the family's types inferred, for the definition files. */
export function defineRouter<F extends RouterFamily>(def: RouterDefinition<F>): RouterDefinition<F> {
  return def;
}

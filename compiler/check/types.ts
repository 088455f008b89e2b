// The value types and parameter specs of the schema tables (schema.ts, the router
// definitions in compiler/routers/): what a field or argument accepts, its
// default and its documentation. Plain data with no imports, so every table can use it.

/** A checked value: a number, flag, name or string, a size, or a call with typed arguments. */
export interface TypedCall {
  readonly fn: string;
  readonly args: ReadonlyMap<string, Typed>;
}
export type Typed = number | boolean | string | readonly number[] | TypedCall;

/** What a computed default may read: the values already resolved (given or defaulted) and the model's tokens per image. */
export interface DefaultContext {
  get(name: string): Typed | undefined;
  /** Tokens per image of the model (undefined when the value is read without a model). */
  readonly tokens?: number;
}

export type ValueType =
  | { readonly kind: 'int'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'float'; readonly min?: number; readonly max?: number; readonly maxExclusive?: boolean; readonly minExclusive?: boolean }
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'string' }
  /** `HxWxC` (length 3) or `P` / `PhxPw` (patch). */
  | { readonly kind: 'image' }
  | { readonly kind: 'patch' }
  /** A model name. */
  | { readonly kind: 'model' }
  /** One of several calls (or, for a call with no required arguments, its bare name). */
  | { readonly kind: 'call'; readonly functions: Readonly<Record<string, CallSignature>> };

export interface ParamSpec {
  readonly type: ValueType;
  readonly required?: boolean;
  /** What the field means, for messages and the generated docs. */
  readonly doc: string;
  /** The value when not given: a constant, or computed from the other values (documented by `defaultDoc`). */
  readonly default?: Typed | ((ctx: DefaultContext) => Typed | undefined);
  /** How a computed default is written in the docs (e.g. "one image's tokens"). */
  readonly defaultDoc?: string;
}

export type CallSignature = Readonly<Record<string, ParamSpec>>;

export const int = (min?: number, max?: number): ValueType => ({ kind: 'int', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
export const float = (min: number, extra: Partial<{ max: number; maxExclusive: boolean; minExclusive: boolean }> = {}): ValueType => ({
  kind: 'float',
  min,
  ...extra,
});
export const enumOf = (...values: string[]): ValueType => ({ kind: 'enum', values });


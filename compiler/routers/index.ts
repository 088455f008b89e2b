// The router table: every router family by its name in .moe files. The check
// schema, the resolved-spec printer, the cost model, the graph schema's enum,
// lowering, the study labels and the benchmarks read it; adding a family is one
// definition file (plus its lowering) and one line here.
import type { RouterConfig, RouterFamily, RouterKind } from './config.ts';
import type { RouterDefinition, RouterKindInfo, RouterParam } from './definition.ts';
import { tokenChoice } from './token-choice.ts';
import { expertChoice } from './expert-choice.ts';
import { soft } from './soft.ts';
import { randomExpertChoice } from './random-expert-choice.ts';

export const ROUTERS: { readonly [F in RouterFamily]: RouterDefinition<F> } = {
  token_choice: tokenChoice,
  expert_choice: expertChoice,
  soft,
  random_expert_choice: randomExpertChoice,
};

export const ROUTER_FAMILIES = Object.keys(ROUTERS) as readonly RouterFamily[];

/** The definition of a family named in a spec, or undefined. */
export function routerDefinition(family: string): RouterDefinition | undefined {
  return Object.hasOwn(ROUTERS, family) ? (ROUTERS[family as RouterFamily] as unknown as RouterDefinition) : undefined;
}

/** The definition of a checked config. */
export function definitionOf(config: RouterConfig): RouterDefinition {
  return routerDefinition(config.family)!;
}

/** Every parameter name any family takes, with the families that take it (first family's spec). */
export const ROUTER_PARAMS: Readonly<Record<string, RouterParam & { readonly families: readonly RouterFamily[] }>> = (() => {
  const out: Record<string, RouterParam & { families: RouterFamily[] }> = {};
  for (const family of ROUTER_FAMILIES) {
    for (const [name, spec] of Object.entries(ROUTERS[family].params)) {
      if (out[name]) out[name].families.push(family);
      else out[name] = { ...spec, families: [family] };
    }
  }
  return out;
})();

export function paramsOfFamily(family: RouterFamily): string[] {
  return Object.keys(ROUTERS[family].params);
}

/** Slots per expert per group: C for sparse routers, P for Soft MoE. */
export function routerSlots(config: RouterConfig): number {
  return definitionOf(config).slots(config);
}

/** How many experts' parameters a token uses on average (cost model). */
export function expertsPerToken(config: RouterConfig): number {
  return definitionOf(config).expertsPerToken(config);
}

export function routerKind(config: RouterConfig): RouterKind {
  return definitionOf(config).kind(config);
}

/** `family(arg: value, …)` with every default written out; reads back as the same config. */
export function formatRouter(config: RouterConfig): string {
  return `${config.family}(${definitionOf(config).format(config).join(', ')})`;
}

/** Every router kind with its description, in table order. */
export const ROUTER_KINDS: Readonly<Record<string, RouterKindInfo>> = Object.assign(
  {},
  ...ROUTER_FAMILIES.map((f) => ROUTERS[f].kinds as Readonly<Record<string, RouterKindInfo>>),
);

/** Every router kind with its short label (the paper's abbreviations), in table order. */
export const ROUTER_KIND_LABELS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(ROUTER_KINDS).map(([k, v]) => [k, v.short]));

export type { RouterDefinition, RouterKindInfo, RouterParam, RouterRule, RouterSettings, RouterCapacity, CheckedRouter, RouterCheckContext } from './definition.ts';
export type { RouterConfig, RouterFamily, RouterKind, Rounding } from './config.ts';

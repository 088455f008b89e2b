// The checked router configurations, as a registry that each router family's
// definition file extends (TypeScript declaration merging):
//
//   declare module './config.ts' {
//     interface RouterFamilies { soft: { config: SoftRouter; kind: 'soft_moe' } }
//   }
//
// so `RouterConfig` (the union of every family's config) and `RouterKind` grow
// with the table without an edit here, and this file imports nothing: the checked
// model (compiler/model.ts) reads it without depending on lowering or graphs.

export type Rounding = 'ceil' | 'round';

/** What every router configuration has. */
export interface RouterConfigBase {
  readonly family: string;
  readonly experts: number;
  /** Tokens per routing group S (resolved; default one image's tokens). */
  readonly group: number;
}

/** family → its checked config and the kind names it reports (extended by compiler/routers/<family>.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface RouterFamilies {}

export type RouterFamily = keyof RouterFamilies & string;
export type RouterConfig = RouterFamilies[RouterFamily]['config'];
/** The name a router goes by in router cases, reports, costs and graphs (e.g. `soft_moe`). */
export type RouterKind = RouterFamilies[RouterFamily]['kind'];

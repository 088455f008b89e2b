// The router table (compiler/routers/) is the one description of a family: the
// graph schema, the study labels, the printer and the checks read it. These tests
// tie the table's parts together, so a new family cannot be half-registered.
import { describe, expect, it } from 'vitest';
import { GRAPH_SCHEMA } from '../../compiler/graph/schema.ts';
import { ROUTERS, ROUTER_FAMILIES, ROUTER_KIND_LABELS, ROUTER_PARAMS, formatRouter, routerDefinition, routerKind, routerSlots } from '../../compiler/routers/index.ts';
import { shortRouterName } from '../../runtime/study/render.ts';
import { modelOf } from '../compiler/harness.ts';

const MODEL = (router: string) => `model m {
  image: 8x8x1, patch: 2, width: 8, depth: 1, heads: 2, mlp: 16, classes: 10
  blocks all: moe(${router})
}
`;

describe('router table', () => {
  it('names every family once, with its own name as key', () => {
    for (const family of ROUTER_FAMILIES) expect(ROUTERS[family].family).toBe(family);
    expect(routerDefinition('toString')).toBeUndefined();
    expect(routerDefinition('nope')).toBeUndefined();
  });

  it('the graph schema accepts exactly the table’s families', () => {
    const schema = GRAPH_SCHEMA as unknown as { properties: { meta: { properties: { resolved: { properties: { blocks: { items: { properties: { router: { properties: { family: { enum: string[] } } } } } } } } } } } };
    const family = schema.properties.meta.properties.resolved.properties.blocks.items.properties.router.properties.family;
    expect([...family.enum].sort()).toEqual([...ROUTER_FAMILIES].sort());
  });

  it('every parameter has a doc and a type, and every optional one a default or a default description', () => {
    for (const family of ROUTER_FAMILIES) {
      for (const [name, p] of Object.entries(ROUTERS[family].params)) {
        expect(p.doc, `${family}.${name}`).toMatch(/\w/);
        if (!p.required) expect(p.default !== undefined || p.defaultDoc !== undefined, `${family}.${name}`).toBe(true);
      }
    }
    for (const [name, p] of Object.entries(ROUTER_PARAMS)) expect(p.families.length, name).toBeGreaterThan(0);
  });

  it('each family’s example checks, reports a kind with a study label, and prints back to itself', () => {
    for (const family of ROUTER_FAMILIES) {
      const def = ROUTERS[family];
      const layer = modelOf(MODEL(def.example)).blocks[0]!;
      expect(layer.kind).toBe('moe');
      if (layer.kind !== 'moe') continue;
      const kind = routerKind(layer.router);
      expect(Object.keys(def.kinds)).toContain(kind);
      expect(shortRouterName(kind)).toBe(ROUTER_KIND_LABELS[kind]);
      expect(routerSlots(layer.router)).toBeGreaterThanOrEqual(1);
      const again = modelOf(MODEL(formatRouter(layer.router))).blocks[0]!;
      expect(again).toEqual(layer);
    }
  });
});

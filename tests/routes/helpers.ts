// Tiny models for the routing tests, compiled from .moe text, with hand-set weights.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compile } from '../../compiler/compile.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import type { GraphModel } from '../../runtime/api.ts';
import type { Graph } from '../../compiler/graph/ir.ts';

/** An 8×8×1 ViT with 4 patches (patch 4), width 8, one block: the given MoE layer. */
export function tinySpec(router: string, extra = ''): string {
  return `model tiny {
  image: 8x8x1
  patch: 4
  width: 8
  depth: 1
  heads: 2
  mlp: 16
  classes: 3
  pool: gap
  blocks all: moe(${router})
  ${extra}
}
`;
}

export function compileTiny(router: string): Graph {
  const dir = mkdtempSync(join(tmpdir(), 'moec-routes-'));
  const file = join(dir, 'tiny.moe');
  writeFileSync(file, tinySpec(router));
  const c = compile(file, { cwd: dir });
  if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  return c.graph();
}

/** A model of `graph` with every listed parameter set (by name) to the given values. */
export function modelWith(graph: Graph, values: Record<string, (shape: readonly number[]) => Float32Array>): GraphModel {
  const model = createGraphModel(graph, { seed: 0 });
  for (const [name, make] of Object.entries(values)) {
    const v = model.variables.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    tf.tidy(() => v.assign(tf.tensor(make(v.shape), v.shape, 'float32')));
  }
  return model;
}

export const fill = (value: number) => (shape: readonly number[]) => new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value);

// Shared by the vmoe export/import tests: the cases bench/vmoe/verify.py checked
// against vmoe's own code (names, shapes, counts pinned in the fixture), and
// deterministic weights for a graph.
import { readFileSync } from 'node:fs';
import { modelOf } from '../compiler/harness.ts';
import { lowerModel } from '../../compiler/lower/index.ts';
import type { Graph } from '../../compiler/graph/ir.ts';

export interface VerifiedCase {
  readonly spec: string;
  readonly params: number;
  readonly leaves: Readonly<Record<string, readonly number[]>>;
}

export const VERIFIED = JSON.parse(readFileSync('tests/fixtures/vmoe/verified.json', 'utf8')) as {
  readonly base: string;
  readonly cases: Readonly<Record<string, VerifiedCase>>;
  readonly paper: Readonly<Record<string, number>>;
};

export function specText(name: string, body: string): string {
  return `model ${name} {\n  ${VERIFIED.base}\n  ${body}\n}\n`;
}

export function graphOf(body: string, name = 'm', overrides: string[] = []): Graph {
  return lowerModel(modelOf(specText(name, body), undefined, overrides), { source: 'main.moe' });
}

/** Distinct, deterministic values for every parameter (so a transposed or swapped leaf shows). */
export function weightsFor(graph: Graph, salt = 0): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  graph.params.forEach((p, k) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    out.set(p.name, { shape: [...p.shape], data: Float32Array.from({ length: n }, (_, i) => Math.sin(1 + i * 0.37 + k * 1.91 + salt)) });
  });
  return out;
}

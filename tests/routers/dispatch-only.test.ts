// The token-choice slot logic alone (choice levels, positions, drops, BPR) on
// gates given directly: the shared dispatcher-level case (vmoe moe_test.py) and
// its Batch-Priority variant, whose expected values are derived by hand below.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder } from '../../compiler/graph/builder.ts';
import { tokenChoiceDispatch } from '../../compiler/lower/routers/token-choice.ts';
import { combineFromWeights } from '../../compiler/lower/routers/common.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { selectBackend } from '../../runtime/backend.ts';
import { expectClose, flat, loadCases } from './helpers.ts';

const CASE = loadCases('router-cases').find((c) => c.router === 'top_experts_per_item_dispatch')!;
const GATES = CASE.inputs.gates as number[][];

function runDispatch(bpr: boolean): { dispatch: number[]; combine: number[]; kept: number[] } {
  const S = 3;
  const E = 3;
  const C = 2;
  const k = 2;
  const b = new GraphBuilder();
  const images = b.input('images', ['B', S, E, 1]);
  const gates = b.reshape(images, ['B', S, E]);
  const { dispatch, kept } = tokenChoiceDispatch(b, gates, { k, capacity: C, bpr });
  const combine = combineFromWeights(b, dispatch, gates);
  const out = b.concat([b.reshape(dispatch, ['B', S * E * C]), b.reshape(combine, ['B', S * E * C]), b.reshape(kept, ['B', S * k])], 1);
  const graph = b.build({ model: 'dispatch_only', compiler: 'test', outputs: { logits: out, aux_loss: b.constant(0) }, blocks: [] });
  const gm = createGraphModel(graph, { seed: 0 });
  const res = gm.forward(tf.tensor4d(flat(GATES), [1, S, E, 1]), { training: false, step: 0 });
  const values = Array.from(res.logits.dataSync());
  res.logits.dispose();
  res.auxLoss.dispose();
  gm.dispose();
  const n = S * E * C;
  return { dispatch: values.slice(0, n), combine: values.slice(n, 2 * n), kept: values.slice(2 * n) };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`token-choice dispatcher on ${backend}`, () => {
    beforeAll(async () => {
      await selectBackend(backend);
    });

    it('matches the vanilla-order dispatcher case (k=2, C=2)', () => {
      const r = runDispatch(false);
      expectClose(r.dispatch, CASE.expected.dispatch, 'dispatch', 0);
      expectClose(r.combine, CASE.expected.combine, 'combine', 1e-7);
      expectClose(r.kept, CASE.expected.kept, 'kept', 0);
    });

    it('serves choices in decreasing top-1 order with Batch Priority Routing', () => {
      // top-1 gates 0.4, 0.5, 0.6 → order t2, t1, t0. Level 1: t2→e2@0, t1→e0@0, t0→e0@1.
      // Level 2: t2→e0@2 (dropped), t1→e2@1, t0→e2@2 (dropped).
      const expected = [
        [[0, 1], [0, 0], [0, 0]],
        [[1, 0], [0, 0], [0, 1]],
        [[0, 0], [0, 0], [1, 0]],
      ];
      const r = runDispatch(true);
      expectClose(r.dispatch, expected, 'dispatch', 0);
      expectClose(r.kept, [[1, 0], [1, 1], [1, 0]], 'kept', 0);
      expectClose(r.combine, [[[0, 0.4], [0, 0], [0, 0]], [[0.5, 0], [0, 0], [0, 0.4]], [[0, 0], [0, 0], [0.6, 0]]], 'combine', 1e-7);
      expect(r.dispatch.reduce((s, v) => s + v, 0)).toBe(4);
    });
  });
}

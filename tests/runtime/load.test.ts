// Loading graphs through the schema check, and backend selection.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { lowerModel } from '../../compiler/lower/index.ts';
import { InvalidGraphError, loadGraph, loadGraphModel } from '../../runtime/executor/load.ts';
import { BackendError, selectBackend } from '../../runtime/backend.ts';
import { vitModel } from './models.ts';

describe('loadGraph', () => {
  it('accepts the lowering of every pooling/posemb/dropout combination after a JSON round trip', () => {
    for (const pool of ['gap', 'cls'] as const) {
      for (const posemb of ['learned', 'sincos2d'] as const) {
        const graph = lowerModel(vitModel({ pool, posemb, dropout: 0.1, depth: 2 }), { source: 'tiny.moe' });
        const parsed: unknown = JSON.parse(JSON.stringify(graph));
        expect(loadGraph(parsed)).toEqual(graph);
      }
    }
  });

  it('refuses an invalid graph with the schema diagnostics', () => {
    const graph = JSON.parse(JSON.stringify(lowerModel(vitModel()))) as { nodes: { op: string }[] };
    graph.nodes[3].op = 'convolve';
    expect(() => loadGraph(graph, 'edited.json')).toThrow(InvalidGraphError);
    expect(() => loadGraph(graph, 'edited.json')).toThrow(/edited.json is not a valid moec graph/);
  });

  it('binds a loaded graph to variables', async () => {
    await selectBackend('cpu');
    const model = loadGraphModel(JSON.parse(JSON.stringify(lowerModel(vitModel()))), { seed: 1 });
    const out = model.forward(tf.zeros([2, 8, 8, 1]) as tf.Tensor4D, { training: false, step: 0 });
    expect(out.logits.shape).toEqual([2, 3]);
    model.dispose();
  });
});

describe('selectBackend', () => {
  it('auto picks the fastest backend that loads and says why it skipped the others', async () => {
    const selection = await selectBackend('auto');
    expect(['tensorflow', 'wasm']).toContain(selection.name);
    expect(tf.getBackend()).toBe(selection.name);
    if (selection.name === 'wasm') {
      expect(selection.skipped).toHaveLength(2);
      expect(selection.skipped[0]).toMatch(/^tensorflow-gpu: /);
      expect(selection.skipped[1]).toMatch(/^tensorflow: /);
    }
    expect(selection.reason).toMatch(/fastest/);
  });

  it('activates a named backend', async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await selectBackend('wasm')).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('a missing optional backend is a clear error, not a crash', async () => {
    let installed = true;
    try {
      await import(/* @vite-ignore */ ['webgpu'][0]);
    } catch {
      installed = false;
    }
    if (!installed) await expect(selectBackend('webgpu')).rejects.toThrow(/npm install webgpu/);
    await expect(selectBackend('nonsense' as 'cpu')).rejects.toThrow(BackendError);
  });
});

// The vmoe export/import through the library entry point (index.ts), without the CLI.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPORT_TARGETS, importVmoeNpz, loadProgram, lowerModel, readNpz, selectModel, vmoeExportFiles } from '../../index.ts';
import { weightsFor } from './vmoe-support.ts';

describe('library API: vmoe', () => {
  it('exports the bundled example and reads it back', () => {
    const model = selectModel(loadProgram('examples/mnist_soft.moe')).value!;
    const graph = lowerModel(model);
    const weights = weightsFor(graph);
    const files = vmoeExportFiles({ graph, model, weights });
    expect(files.config).toContain("'name': 'vmoe.projects.soft_moe.router.SoftRouter',");
    expect(readNpz(files.npz!).arrays.get('Encoder/encoderblock_3/Moe/Router/mu')!.shape).toEqual([64, 8, 2]);
    const dir = mkdtempSync(join(tmpdir(), 'moec-lib-'));
    try {
      writeFileSync(join(dir, 'p.npz'), files.npz!);
      expect(importVmoeNpz(join(dir, 'p.npz'), graph).weights.get('head/kernel')!.data).toEqual(weights.get('head/kernel')!.data);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(EXPORT_TARGETS.vmoe!.needsCheckpoint).toBe(false);
  });
});

// The run folder: runs/<train>-<YYYYmmdd-HHMMSS>/ (or --out) with the spec, the
// resolved spec, the graph, metrics.jsonl, checkpoints/, plots/ and summary.json.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { ResolvedModel, ResolvedTrain } from '../../compiler/model.ts';
import { printResolvedSpec } from '../../compiler/index.ts';
import { listCheckpoints } from '../checkpoint/checkpoint.ts';
import type { MetricsRecord } from './trainer.ts';

export function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export function newRunDir(runsRoot: string, name: string): string {
  let dir = join(runsRoot, `${name}-${timestamp()}`);
  for (let k = 2; existsSync(dir); k++) dir = join(runsRoot, `${name}-${timestamp()}-${k}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The most recent run folder of `name` under `runsRoot` that holds a checkpoint. */
export function latestRun(runsRoot: string, name: string): string | undefined {
  if (!existsSync(runsRoot)) return undefined;
  const runs = readdirSync(runsRoot)
    .filter((n) => n.startsWith(`${name}-`) && statSync(join(runsRoot, n)).isDirectory())
    .map((n) => join(runsRoot, n))
    .filter((d) => listCheckpoints(join(d, 'checkpoints')).length > 0)
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || a.localeCompare(b));
  return runs[runs.length - 1];
}

export interface RunFiles {
  readonly specPath: string;
  readonly model: ResolvedModel;
  readonly train: ResolvedTrain;
  readonly graph: Graph;
  readonly overrides: readonly string[];
  readonly settings: Record<string, unknown>;
}

export function writeRunFiles(dir: string, f: RunFiles): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(f.specPath, join(dir, basename(f.specPath).endsWith('.moe') ? 'spec.moe' : basename(f.specPath)));
  writeFileSync(join(dir, 'spec.resolved.moe'), printResolvedSpec(f.model, f.train));
  writeFileSync(join(dir, 'graph.json'), JSON.stringify(f.graph));
  if (f.overrides.length > 0) writeFileSync(join(dir, 'overrides.txt'), f.overrides.join('\n') + '\n');
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(f.settings, null, 2) + '\n');
}

export function readMetrics(dir: string): MetricsRecord[] {
  const file = join(dir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as MetricsRecord];
      } catch {
        return [];
      }
    });
}

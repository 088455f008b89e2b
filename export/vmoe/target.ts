// `moec export … --to vmoe`: one Python config (`config.py`, get_config()) and,
// with trained weights, one `params.npz` holding every parameter under its vmoe
// name. Refuses, before writing anything, a model vmoe cannot express.
import { RuntimeFault } from '../../runtime/train/fault.ts';
import { COMPILER_VERSION } from '../../compiler/lower/index.ts';
import { writeNpz } from '../npz/npz.ts';
import { writeOutputFiles } from '../output-folder.ts';
import { vmoeConfigPython, vmoeDifferences, vmoeProblems } from './config.ts';
import { toVmoeArrays, vmoeLayout, vmoeParamCount } from './layout.ts';
import type { ResolvedModel } from '../../compiler/model.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { Weight } from './layout.ts';

/** What the exporter reads (export/targets.ts ExportInput; declared here so the target imports nothing back). */
export interface VmoeExportInput {
  readonly graph: Graph;
  readonly model?: ResolvedModel;
  readonly weights?: ReadonlyMap<string, Weight>;
  readonly source?: string;
}

export const VMOE_CONFIG_FILE = 'config.py';
export const VMOE_PARAMS_FILE = 'params.npz';

/** Throws one located error listing every reason vmoe cannot express the model (code of the first). */
export function assertVmoeExpressible(m: ResolvedModel): void {
  const problems = vmoeProblems(m);
  if (problems.length === 0) return;
  const where = m.source ? `${m.source.file}:${m.source.line}: ` : '';
  const lines = problems.map((p) => `${where}model ${m.name}, ${p.block !== undefined ? `block ${p.block}, ` : ''}field ${p.field}: ${p.message}`);
  throw new RuntimeFault(
    problems[0]!.code,
    `vmoe cannot express model ${m.name}:\n  ${lines.join('\n  ')}`,
    problems.some((p) => p.code === 'MOE0641') ? 'use a multiple of 10 Sinkhorn iterations (the default 20 is fine)' : 'give every MoE block the same router and expert settings',
  );
}

export interface VmoeFiles {
  readonly config: string;
  readonly npz?: Uint8Array;
  readonly paramCount: number;
}

/** The files' contents, computed without touching the disk. */
/** The resolved model the config is written from (a graph's blocks do not carry every router parameter). */
function resolvedModel(input: VmoeExportInput): ResolvedModel {
  const m = input.model ?? input.graph.meta.resolved;
  if (!m) throw new RuntimeFault('MOE0642', `graph ${input.graph.meta.model} does not record its resolved model, which the vmoe config is written from`, 'export the .moe spec instead (with --checkpoint for the weights)');
  return m;
}

export function vmoeExportFiles(input: VmoeExportInput): VmoeFiles {
  const m = resolvedModel(input);
  assertVmoeExpressible(m);
  const layout = vmoeLayout(input.graph);
  const npz = input.weights ? writeNpz(toVmoeArrays(layout, input.weights)) : undefined;
  const config = vmoeConfigPython(m, { ...(npz ? { params: VMOE_PARAMS_FILE } : {}), ...(input.source ? { source: input.source } : {}), moecVersion: COMPILER_VERSION });
  return { config, ...(npz ? { npz } : {}), paramCount: vmoeParamCount(layout) };
}

export async function exportVmoe(input: VmoeExportInput, out: string): Promise<{ files: string[]; notes: string[] }> {
  const files = vmoeExportFiles(input);
  const written = writeOutputFiles(out, [[VMOE_CONFIG_FILE, files.config], ...(files.npz ? ([[VMOE_PARAMS_FILE, files.npz]] as const) : [])]);
  const m = resolvedModel(input);
  return {
    files: written,
    notes: [
      `${files.paramCount.toLocaleString('en-US')} parameters${files.npz ? ' in ' + VMOE_PARAMS_FILE : ' (config only: no --checkpoint given)'}`,
      ...vmoeDifferences(m),
    ],
  };
}

export const vmoeTarget = {
  name: 'vmoe',
  description: "google-research/vmoe: a get_config() Python file (VisionTransformerMoe) and, with a checkpoint, params.npz",
  needsCheckpoint: false,
  run: (input: VmoeExportInput, out: string) => exportVmoe(input, out),
};

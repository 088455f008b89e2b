// `moec export SPEC|RUN --to TARGET [--checkpoint RUN_DIR|CKPT_DIR] -o OUT [--force]`:
// hands a model to another toolchain through one of export/targets.ts. A RUN
// folder exports its graph.json and (unless --checkpoint says otherwise) its
// latest checkpoint. The output folder must not exist unless --force; nothing is
// written before every check passed.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { RuntimeFault } from '../../runtime/train/fault.ts';
import { EXIT_ERROR, UserError, type CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';
import { EXPORT_TARGETS, type ExportInput } from '../../export/targets.ts';
import { checkOutputFolder } from '../../export/output-folder.ts';
import { loadCheckpoint, listCheckpoints, resolveCheckpoint } from '../../runtime/checkpoint/checkpoint.ts';
import { compileSpec } from '../shared/session.ts';
import { InvalidGraphError, loadGraphFromFile } from '../../runtime/executor/load.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { ResolvedModel } from '../../compiler/model.ts';

interface ExportFlags {
  to?: string;
  checkpoint?: string;
  out?: string;
  force?: boolean;
  set: string[];
  [option: string]: unknown;
}

/** A single-file target: the file may exist only with --force, and its folder must exist. */
function checkOutputFile(out: string, force: boolean): void {
  if (existsSync(out) && statSync(out).isDirectory()) throw new RuntimeFault('MOE0607', `${out}: is a folder; this target writes one file`, 'give a file name, e.g. -o model.onnx');
  if (existsSync(out) && !force) throw new RuntimeFault('MOE0607', `${out} exists`, 'pass --force to overwrite it, or choose another -o');
  if (!existsSync(dirname(out))) throw new RuntimeFault('MOE0607', `${dirname(out)}: no such folder for the output file`);
}

function targetList(): string {
  return Object.values(EXPORT_TARGETS)
    .map((t) => t.name)
    .join(', ');
}

/** The model to export: a spec compiled now, or a run folder's graph.json. */
function readInput(source: string, flags: ExportFlags, ctx: CliContext): { graph: Graph; model?: ResolvedModel; runDir?: string; shown: string } | number {
  const path = resolve(ctx.cwd, source);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const graphFile = join(path, 'graph.json');
    if (!existsSync(graphFile)) throw new UserError(`${source}: a folder without graph.json is not a run folder`, 'give a .moe file or a run folder written by moec train');
    try {
      return { graph: loadGraphFromFile(graphFile), runDir: path, shown: source };
    } catch (e) {
      if (e instanceof InvalidGraphError) throw new UserError(e.message);
      throw e;
    }
  }
  const spec = compileSpec(source, { overrides: flags.set }, ctx);
  if (!spec) return EXIT_ERROR;
  return { graph: spec.graph(), model: spec.model, shown: source };
}

export async function runExport(source: string, flags: ExportFlags, ctx: CliContext): Promise<number> {
  const target = flags.to ? EXPORT_TARGETS[flags.to] : undefined;
  if (!flags.to) throw new UserError('--to is required', `one of: ${targetList()}`);
  if (!target) throw new UserError(`unknown export target '${flags.to}'`, `one of: ${targetList()}`);
  if (!flags.out) throw new UserError('-o OUT_DIR is required');
  const out = resolve(ctx.cwd, flags.out);
  if (target.output === 'file') checkOutputFile(out, flags.force === true);
  else checkOutputFolder(out, flags.force === true);
  const input = readInput(source, flags, ctx);
  if (typeof input === 'number') return input;
  let checkpointDir: string | undefined;
  if (flags.checkpoint) checkpointDir = resolveCheckpoint(resolve(ctx.cwd, flags.checkpoint));
  else if (input.runDir && listCheckpoints(join(input.runDir, 'checkpoints')).length > 0) checkpointDir = resolveCheckpoint(input.runDir);
  if (!checkpointDir && target.needsCheckpoint) throw new UserError(`--to ${target.name} needs trained weights`, 'give --checkpoint RUN_DIR|CKPT_DIR, or export a run folder');
  let weights: ExportInput['weights'];
  if (checkpointDir) {
    const ckpt = loadCheckpoint(checkpointDir);
    const expected = new Set(input.graph.params.map((p) => p.name));
    const params = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const t of ckpt.tensors.values()) if (t.group === 'param') params.set(t.name, { shape: [...t.shape], data: t.data });
    for (const name of params.keys())
      if (!expected.has(name)) throw new UserError(`MOE0509: ${checkpointDir}: the checkpoint holds tensor '${name}' that the model does not have`, 'the checkpoint was written for a different model');
    weights = params;
  }
  const options: Record<string, unknown> = {};
  for (const o of target.options ?? []) {
    const key = /--([a-z-]+)/.exec(o.flags)?.[1]?.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (key && flags[key] !== undefined) options[key] = flags[key];
  }
  const result = await target.run(
    { graph: input.graph, ...(input.model ?? input.graph.meta.resolved ? { model: input.model ?? input.graph.meta.resolved } : {}), ...(weights ? { weights } : {}), source: input.shown },
    out,
    options,
  );
  const shown = (p: string) => relative(ctx.cwd, p) || '.';
  ctx.stdout.write(`exported ${input.graph.meta.model} to ${target.name}${checkpointDir ? ` with the weights of ${shown(checkpointDir)}` : ''}:\n`);
  for (const f of result.files) ctx.stdout.write(`  ${shown(f)}\n`);
  for (const n of result.notes) ctx.stdout.write(`note: ${n}\n`);
  return 0;
}

export const exportCommand: CommandModule = {
  register(program, ctx, setExit) {
    const cmd = program
      .command('export')
      .description('export a model (spec or run folder) for another toolchain: ' + targetList())
      .argument('<spec-or-run>', '.moe file or run folder')
      .option('--to <target>', `export target: ${targetList()}`)
      .option('--checkpoint <dir>', 'the weights: a checkpoint folder, or a run folder (its latest checkpoint)')
      .option('-o, --out <path>', 'output folder (must not exist unless --force); a file for --to onnx')
      .option('--force', 'write into an existing output folder')
      .option('--set <field=value>', 'override a model field of a spec (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[]);
    const declared = new Set<string>();
    for (const t of Object.values(EXPORT_TARGETS))
      for (const o of t.options ?? []) {
        if (declared.has(o.flags)) continue;
        declared.add(o.flags);
        cmd.option(o.flags, `(--to ${t.name}) ${o.description}`);
      }
    cmd.action(async (source: string, flags: ExportFlags) => {
      setExit(await runExport(source, flags, ctx));
    });
  },
};

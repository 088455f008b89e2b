// `moec export SPEC|RUN --to <target> [--checkpoint RUN_DIR|CKPT_DIR] -o OUT [--force]`:
// writes the model in another format through export/targets.ts (docs/export-onnx.md).
// Each target adds its own options (onnx: --opset, --batch, --routing).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option } from 'commander';
import { EXIT_ERROR, UserError, type CliContext } from '../context.ts';
import type { CommandModule } from './index.ts';
import { EXPORT_TARGETS } from '../../export/targets.ts';
import { openModelSource, weightsFor } from '../model-source.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';

interface ExportFlags {
  to: string;
  checkpoint?: string;
  output: string;
  force?: boolean;
  set: string[];
  train?: string;
  [option: string]: unknown;
}

export async function runExport(source: string, flags: ExportFlags, ctx: CliContext): Promise<number> {
  const target = Object.prototype.hasOwnProperty.call(EXPORT_TARGETS, flags.to) ? EXPORT_TARGETS[flags.to] : undefined;
  if (!target) throw new RuntimeFault('MOE0608', `unknown export target '${flags.to}'`, `use --to ${Object.keys(EXPORT_TARGETS).join(' or --to ')}`);
  const out = resolve(ctx.cwd, flags.output);
  if (existsSync(out) && !flags.force) throw new RuntimeFault('MOE0607', `${flags.output} exists`, 'pass --force to overwrite it, or choose another -o');
  const opened = openModelSource(source, { cwd: ctx.cwd, overrides: flags.set, train: flags.train });
  if (opened.diagnostics.length > 0) ctx.printDiagnostics(opened.diagnostics, opened.sources, 'text');
  if (!opened.ok) return EXIT_ERROR;
  const checkpointPath = flags.checkpoint ?? opened.runDir;
  if (target.needsCheckpoint && !checkpointPath)
    throw new RuntimeFault('MOE0608', `--to ${target.name} needs trained weights: pass --checkpoint RUN_DIR|CHECKPOINT_DIR`, `e.g. moec export ${source} --to ${target.name} --checkpoint runs/<run> -o ${flags.output}`);
  const loaded = checkpointPath ? weightsFor(opened.graph, checkpointPath, ctx.cwd) : undefined;
  const result = await target.run({ graph: opened.graph, model: opened.model, weights: loaded?.weights }, out, flags);
  ctx.stdout.write(`wrote ${result.files.join(', ')}${loaded ? ` (checkpoint ${loaded.checkpoint.dir}, step ${loaded.checkpoint.manifest.state.step})` : ''}\n`);
  for (const note of result.notes) ctx.stdout.write(`  ${note}\n`);
  return 0;
}

export const exportCommand: CommandModule = {
  register(program, ctx, setExit) {
    const command = program
      .command('export')
      .description(`write a model in another format: ${Object.values(EXPORT_TARGETS).map((t) => `${t.name} (${t.description})`).join('; ')}`)
      .argument('<source>', 'a .moe spec or a run folder')
      .requiredOption('--to <target>', `export target: ${Object.keys(EXPORT_TARGETS).join(', ')}`)
      .option('--checkpoint <dir>', 'a checkpoint folder, or a run folder (its latest checkpoint); default: the run folder given as source')
      .requiredOption('-o, --output <file>', 'the file to write')
      .option('--force', 'overwrite the output file')
      .option('--train <name>', 'the train block (when the spec has several)')
      .option('--set <field=value>', 'override a model field (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[]);
    const seen = new Set<string>();
    for (const target of Object.values(EXPORT_TARGETS))
      for (const o of target.options) {
        if (seen.has(o.flags)) continue;
        seen.add(o.flags);
        const option = new Option(o.flags, `${o.description} (--to ${target.name})`);
        if (o.default !== undefined && typeof o.default === 'string') option.default(o.default);
        command.addOption(option);
      }
    command.action(async (source: string, flags: ExportFlags) => {
      if (flags.checkpoint === '') throw new UserError('--checkpoint needs a folder');
      setExit(await runExport(source, flags, ctx));
    });
  },
};

// `moec bench FILE [--model NAME] [--backend B] [--batch N] [--steps N] [--json]`:
// training and inference throughput of a model, its memory, and where the time goes
// (docs/performance.md). Exit 0, or 1 when the spec has errors or a flag is wrong.
import { EXIT_ERROR, UserError, type CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';
import { activateBackend, parseBackend, parseThreads } from '../shared/backend.ts';
import { backendOption, parseIntFlag, threadsOption } from '../shared/flags.ts';
import { compileSpec } from '../shared/session.ts';
import { batchMultiple } from '../../compiler/check/batch-multiple.ts';
import { benchModel } from '../../runtime/bench/model-bench.ts';
import { renderModelBench } from '../../runtime/bench/report.ts';
import { activeProfile } from '../../runtime/backends/index.ts';
import { parseEngine } from '../onnx-engine.ts';
import { compareInference, renderInferenceComparison } from '../../export/onnx/bench.ts';

interface BenchFlags {
  model?: string;
  backend: string;
  threads?: string;
  batch: string;
  steps: string;
  json?: boolean;
  profile: boolean;
  update: boolean;
  engine?: string;
}

export async function runBench(file: string, flags: BenchFlags, ctx: CliContext): Promise<number> {
  const backendName = parseBackend(flags.backend);
  const threads = parseThreads({ flag: flags.threads, env: ctx.env });
  const batch = parseIntFlag('--batch', flags.batch)!;
  const reps = parseIntFlag('--steps', flags.steps)!;
  const compiled = compileSpec(file, { train: false, ...(flags.model ? { model: flags.model } : {}), format: flags.json ? 'json' : 'text' }, ctx);
  if (!compiled) return EXIT_ERROR;
  const model = compiled.model;
  const { multiple } = batchMultiple(model);
  if (batch % multiple !== 0)
    throw new UserError(`--batch ${batch} does not fit model ${model.name}: its routing groups span ${multiple} images, so the batch must be a multiple of ${multiple}`, `use --batch ${Math.max(multiple, Math.round(batch / multiple) * multiple)}`, 'MOE0524');
  const graph = compiled.graph();
  const backend = await activateBackend(backendName, threads);
  if (!activeProfile().readsSync) {
    throw new UserError(
      `moec bench cannot run on ${activeProfile().name}: it reads results synchronously, which this backend cannot do in Node`,
      'use --backend wasm or cpu (or tensorflow)',
    );
  }
  if (parseEngine(flags.engine) === 'onnx') {
    if (!flags.json) ctx.stderr.write(`backend ${backend.label}; inference of batch ${batch} on tfjs and onnxruntime, ${reps} alternating runs each…\n`);
    const comparison = await compareInference(graph, { batch, reps });
    ctx.stdout.write(flags.json ? JSON.stringify(comparison, null, 2) + '\n' : renderInferenceComparison(comparison));
    return 0;
  }
  if (!flags.json) ctx.stderr.write(`backend ${backend.label}; measuring ${reps} steps of batch ${batch}…\n`);
  let report;
  try {
    report = await benchModel(graph, { batch, reps, profile: flags.profile, noUpdate: !flags.update });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    const params = graph.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
    // Parameters, their gradients and AdamW's two slots, in float32.
    const stateGiB = (params * 4 * (flags.update ? 4 : 2)) / 2 ** 30;
    if (/memory access out of bounds|Aborted|out of memory/i.test(message)) {
      throw new UserError(
        `bench of ${model.name} at batch ${batch} ran out of memory on ${backend.name}: ${message}`,
        `its ${params.toLocaleString('en-US')} parameters with gradients${flags.update ? ' and AdamW state' : ''} take ${stateGiB.toFixed(2)} GiB before any activation (the wasm heap stops at 4 GiB): try a smaller --batch${flags.update ? ', --no-update' : ''}, a smaller model, or a native backend`,
      );
    }
    throw error;
  }
  ctx.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderModelBench(report));
  return 0;
}

export const benchCommand: CommandModule = {
  register(program, ctx, setExit) {
    const command = program
      .command('bench')
      .description('measure training and inference speed, memory, and time per op and per block')
      .argument('<file>', '.moe file')
      .option('--model <name>', 'the model to measure (default: the file\'s only model)');
    backendOption(command);
    threadsOption(command);
    command
      .option('--batch <n>', 'images per step', '32')
      .option('--steps <n>', 'timed repetitions of each measurement (median reported)', '5')
      .option('--json', 'print the report as JSON')
      .option('--no-profile', 'skip the per-op / per-block / per-kernel profiling passes')
      .option('--no-update', 'time forward + backward only (no optimiser update)')
      .option('--engine <name>', 'tfjs (training and inference report), or onnx: inference on onnxruntime and tfjs side by side', 'tfjs')
      .action(async (file: string, flags: BenchFlags) => {
        const code = await runBench(file, flags, ctx);
        if (code !== 0) setExit(code);
      });
  },
};

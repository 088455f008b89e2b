// `moec eval RUN_DIR [--checkpoint DIR]` or `moec eval SPEC --checkpoint DIR`: loads a
// checkpoint into the run's own graph (graph.json, trained data and loss from its
// spec.resolved.moe) or into the spec's model, and prints the test loss and accuracy.
import { EXIT_ERROR, UserError, type CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';
import { loadDataset } from '../../runtime/data/index.ts';
import { applyWeightsSource, describeWeightsSource, readWeightsSource } from '../weights-source.ts';
import { evaluate } from '../../runtime/train/evaluate.ts';
import { activateBackend, parseBackend, parseThreads } from '../shared/backend.ts';
import { backendOption, parseIntFlag, setOption, threadsOption, trainOption } from '../shared/flags.ts';
import { checkRunCheckpoint, inferenceTarget, withModel } from '../shared/session.ts';
import { lossAndCorrect, openOnnxEngine, parseEngine } from '../onnx-engine.ts';
import { DEFAULT_EVAL_BATCH } from '../../runtime/train/evaluate.ts';

interface EvalFlags {
  checkpoint?: string;
  train?: string;
  backend: string;
  threads?: string;
  set: string[];
  batch?: string;
  format: string;
  engine?: string;
  onnx?: string;
}

export async function runEval(file: string, flags: EvalFlags, ctx: CliContext): Promise<number> {
  const backendName = parseBackend(flags.backend);
  const threads = parseThreads({ flag: flags.threads, env: ctx.env });
  const target = inferenceTarget(file, flags, ctx);
  if (!target) return EXIT_ERROR;
  if (!target.checkpoint) throw new UserError('--checkpoint is required with a spec file (a checkpoint, a run folder or a .npz)', `or evaluate the run folder itself: moec eval RUN_DIR`);
  const spec = { model: { image: target.image, classes: target.classes }, train: target.train, graph: target.graph, baseDir: target.baseDir };
  const engine = parseEngine(flags.engine);
  const weights = readWeightsSource(target.checkpoint, ctx.cwd, spec.graph);
  checkRunCheckpoint(target, weights.kind === 'checkpoint' ? weights.checkpoint : undefined);
  const data = await loadDataset(spec.train.data, { shape: spec.model.image, classes: spec.model.classes, baseDir: spec.baseDir });
  if (engine === 'onnx') {
    const onnxEngine = await openOnnxEngine({ graph: spec.graph, cwd: ctx.cwd, onnx: flags.onnx, checkpoint: target.checkpoint, stderr: ctx.stderr });
    try {
      const split = data.test;
      const logits = await onnxEngine.logits(split.images, split.count, parseIntFlag('--batch', flags.batch) ?? DEFAULT_EVAL_BATCH);
      const r = lossAndCorrect(logits, split.labels, spec.model.classes, spec.train.loss);
      const accuracy = r.correct / split.count;
      if (flags.format === 'json')
        ctx.stdout.write(JSON.stringify({ checkpoint: weights.where, step: weights.step, engine: 'onnx', model: onnxEngine.label, data: data.name, images: split.count, loss: r.loss, accuracy }) + '\n');
      else {
        ctx.stdout.write(`${flags.onnx ? `model ${flags.onnx}` : describeWeightsSource(weights)} on onnxruntime, ${onnxEngine.threads} threads\n`);
        ctx.stdout.write(`test split of ${data.name}: ${split.count} images\n`);
        ctx.stdout.write(`test loss ${r.loss.toFixed(4)}  accuracy ${(accuracy * 100).toFixed(2)}%\n`);
        ctx.stdout.write('  (routing statistics come from the tfjs engine: --engine tfjs)\n');
      }
    } finally {
      await onnxEngine.close();
    }
    return 0;
  }
  await activateBackend(backendName, threads);
  return withModel(spec.graph, { seed: spec.train.seed, load: (m) => applyWeightsSource(m, weights) }, async (model) => {
    const step = weights.step;
    const r = await evaluate(model, data.test, spec.model.image, { loss: spec.train.loss, step, batch: parseIntFlag('--batch', flags.batch) });
    if (flags.format === 'json') {
      ctx.stdout.write(JSON.stringify({ checkpoint: weights.where, step, data: data.name, images: r.count, loss: r.loss, aux_loss: r.auxLoss, accuracy: r.accuracy, ...r.router }) + '\n');
    } else {
      ctx.stdout.write(describeWeightsSource(weights) + '\n');
      ctx.stdout.write(`test split of ${data.name}: ${r.count} images\n`);
      ctx.stdout.write(`test loss ${r.loss.toFixed(4)}  accuracy ${(r.accuracy * 100).toFixed(2)}%\n`);
      for (const [k, v] of Object.entries(r.router)) if (!Array.isArray(v)) ctx.stdout.write(`  ${k} ${v}\n`);
    }
    return 0;
  });
}

export const evalCommand: CommandModule = {
  register(program, ctx, setExit) {
    const command = program
      .command('eval')
      .description('evaluate a checkpoint on the test split: loss and accuracy')
      .argument('<target>', 'a run folder (runs its graph.json with its newest checkpoint) or a .moe file (with --checkpoint)')
      .option('--checkpoint <dir>', 'a checkpoint folder, a run folder (its latest checkpoint), or a vmoe/ViT FILE.npz');
    trainOption(command, 'the train block whose data to use');
    backendOption(command);
    threadsOption(command);
    setOption(command);
    command
      .option('--batch <n>', "images per evaluation micro-batch (default: 250, fewer when the model's memory estimate needs it)")
      .option('--format <format>', 'text or json', 'text')
      .option('--engine <name>', 'inference engine: tfjs, or onnx (onnxruntime, exported on the fly into the run folder)', 'tfjs')
      .option('--onnx <file>', 'with --engine onnx: run this exported model instead of exporting the checkpoint')
      .action(async (file: string, flags: EvalFlags) => {
        setExit(await runEval(file, flags, ctx));
      });
  },
};

// `moec predict RUN_DIR image.png…` or `moec predict SPEC --checkpoint DIR image.png…`:
// the top classes of each image with their probabilities, from the run's own graph
// (graph.json) or the spec's model.
import { resolve } from 'node:path';
import { EXIT_ERROR, UserError, type CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';
import { decodeImage } from '../../runtime/data/folder.ts';
import { applyWeightsSource, isNpzPath, readWeightsSource } from '../weights-source.ts';
import { predictProbabilities } from '../../runtime/train/evaluate.ts';
import { activateBackend, parseBackend, parseThreads } from '../shared/backend.ts';
import { backendOption, parseIntFlag, setOption, threadsOption, trainOption } from '../shared/flags.ts';
import { checkRunCheckpoint, inferenceTarget, withModel } from '../shared/session.ts';
import { openOnnxEngine, parseEngine, probabilitiesOf } from '../onnx-engine.ts';
import { loadCheckpoint, resolveCheckpoint } from '../../runtime/checkpoint/checkpoint.ts';

interface PredictFlags {
  checkpoint?: string;
  train?: string;
  backend: string;
  threads?: string;
  set: string[];
  top?: string;
  format: string;
  engine?: string;
  onnx?: string;
}

export async function runPredict(file: string, images: string[], flags: PredictFlags, ctx: CliContext): Promise<number> {
  const backendName = parseBackend(flags.backend);
  const threads = parseThreads({ flag: flags.threads, env: ctx.env });
  const top = parseIntFlag('--top', flags.top) ?? 3;
  const target = inferenceTarget(file, flags, ctx);
  if (!target) return EXIT_ERROR;
  const spec = { model: { image: target.image, classes: target.classes }, train: target.train, graph: target.graph };
  const checkpointArg = target.checkpoint;
  const engine = parseEngine(flags.engine);
  const shape = spec.model.image;
  const size = shape[0] * shape[1] * shape[2];
  const pixels = new Float32Array(images.length * size);
  for (const [i, f] of images.entries()) pixels.set(await decodeImage(resolve(ctx.cwd, f), shape), i * size);
  const report = (probs: Float32Array[], classNames: readonly string[] | undefined) => {
    const classes = classNames ?? Array.from({ length: spec.model.classes }, (_, c) => String(c));
    const results = images.map((f, i) => {
      const ranked = Array.from(probs[i]!, (p, c) => ({ class: classes[c] ?? String(c), index: c, probability: p }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, Math.min(top, spec.model.classes));
      return { image: f, top: ranked };
    });
    if (flags.format === 'json') ctx.stdout.write(JSON.stringify(results) + '\n');
    else
      for (const r of results) {
        ctx.stdout.write(`${r.image}\n`);
        for (const t of r.top) ctx.stdout.write(`  ${t.class.padEnd(12)} ${(t.probability * 100).toFixed(2).padStart(6)}%\n`);
      }
  };
  if (engine === 'onnx') {
    const classNames = checkpointArg && !isNpzPath(checkpointArg) ? loadCheckpoint(resolveCheckpoint(resolve(ctx.cwd, checkpointArg))).manifest.state.classes : undefined;
    const onnxEngine = await openOnnxEngine({ graph: spec.graph, cwd: ctx.cwd, onnx: flags.onnx, checkpoint: checkpointArg, stderr: ctx.stderr });
    try {
      const logits = await onnxEngine.logits(pixels, images.length);
      report(probabilitiesOf(logits, images.length, spec.model.classes, spec.train.loss), classNames);
    } finally {
      await onnxEngine.close();
    }
    return 0;
  }
  if (!checkpointArg) throw new UserError('--checkpoint is required (a checkpoint, a run folder or a .npz)', 'with --engine onnx, --onnx FILE may replace it');
  const weights = readWeightsSource(checkpointArg, ctx.cwd, spec.graph);
  checkRunCheckpoint(target, weights.kind === 'checkpoint' ? weights.checkpoint : undefined);
  await activateBackend(backendName, threads);
  await withModel(spec.graph, { seed: spec.train.seed, load: (m) => applyWeightsSource(m, weights) }, async (model) =>
    report(await predictProbabilities(model, pixels, images.length, shape, spec.train.loss), weights.classes),
  );
  return 0;
}

export const predictCommand: CommandModule = {
  register(program, ctx, setExit) {
    const command = program
      .command('predict')
      .description('classify images with a trained checkpoint: top classes and probabilities')
      .argument('<target>', 'a run folder (runs its graph.json with its newest checkpoint) or a .moe file (with --checkpoint)')
      .argument('<images...>', 'PNG or JPEG images')
      .option('--checkpoint <dir>', 'a checkpoint folder, a run folder (its latest checkpoint), or a vmoe/ViT FILE.npz')
;
    trainOption(command, 'the train block (for its loss: softmax or sigmoid probabilities)');
    backendOption(command);
    threadsOption(command);
    setOption(command, 'a model field');
    command
      .option('--top <k>', 'classes to show per image', '3')
      .option('--format <format>', 'text or json', 'text')
      .option('--engine <name>', 'inference engine: tfjs, or onnx (onnxruntime, exported on the fly into the run folder)', 'tfjs')
      .option('--onnx <file>', 'with --engine onnx: run this exported model instead of exporting the checkpoint')
      .action(async (file: string, images: string[], flags: PredictFlags) => {
        setExit(await runPredict(file, images, flags, ctx));
      });
  },
};

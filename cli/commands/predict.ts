// `moec predict FILE --checkpoint DIR image.png…`: the top classes of each image
// with their probabilities.
import { dirname, resolve } from 'node:path';
import { EXIT_ERROR, type CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';
import { decodeImage } from '../../runtime/data/folder.ts';
import { applyWeightsSource, readWeightsSource } from '../weights-source.ts';
import { predictProbabilities } from '../../runtime/train/evaluate.ts';
import { activateBackend, parseBackend } from '../shared/backend.ts';
import { backendOption, parseIntFlag, setOption, trainOption } from '../shared/flags.ts';
import { compileSpec, withModel } from '../shared/session.ts';

interface PredictFlags {
  checkpoint: string;
  train?: string;
  backend: string;
  set: string[];
  top?: string;
  format: string;
}

export async function runPredict(file: string, images: string[], flags: PredictFlags, ctx: CliContext): Promise<number> {
  const backendName = parseBackend(flags.backend);
  const top = parseIntFlag('--top', flags.top) ?? 3;
  const compiled = compileSpec(file, { overrides: flags.set, ...(flags.train !== undefined ? { train: flags.train } : {}) }, ctx);
  if (!compiled) return EXIT_ERROR;
  const spec = { model: compiled.model, train: compiled.train!, graph: compiled.graph(), baseDir: dirname(compiled.path) };
  const weights = readWeightsSource(flags.checkpoint, ctx.cwd, spec.graph);
  const shape = spec.model.image;
  const size = shape[0] * shape[1] * shape[2];
  const pixels = new Float32Array(images.length * size);
  for (const [i, f] of images.entries()) pixels.set(await decodeImage(resolve(ctx.cwd, f), shape), i * size);
  await activateBackend(backendName);
  return withModel(spec.graph, { seed: spec.train.seed, load: (m) => applyWeightsSource(m, weights) }, async (model) => {
    const classes = weights.classes ?? Array.from({ length: spec.model.classes }, (_, c) => String(c));
    const probs = await predictProbabilities(model, pixels, images.length, shape, spec.train.loss);
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
    return 0;
  });
}

export const predictCommand: CommandModule = {
  register(program, ctx, setExit) {
    const command = program
      .command('predict')
      .description('classify images with a trained checkpoint: top classes and probabilities')
      .argument('<file>', '.moe file')
      .argument('<images...>', 'PNG or JPEG images')
      .requiredOption('--checkpoint <dir>', 'a checkpoint folder, a run folder (its latest checkpoint), or a vmoe/ViT FILE.npz')
;
    trainOption(command, 'the train block (for its loss: softmax or sigmoid probabilities)');
    backendOption(command);
    setOption(command, 'a model field');
    command
      .option('--top <k>', 'classes to show per image', '3')
      .option('--format <format>', 'text or json', 'text')
      .action(async (file: string, images: string[], flags: PredictFlags) => {
        setExit(await runPredict(file, images, flags, ctx));
      });
  },
};

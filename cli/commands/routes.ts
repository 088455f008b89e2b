// `moec routes SPEC|RUN [--checkpoint RUN|CKPT] [image.png… | --split test --n 16]
// [--block i] -o DIR`: where each patch goes in every MoE block (docs/report.md).
// Writes a PNG and an SVG per image and block, plus routes.json.
import { join, relative, resolve } from 'node:path';
import { EXIT_ERROR, UserError, type CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';
import { BACKEND_NAMES } from '../../runtime/backend.ts';
import { createGraphModel } from '../../runtime/executor/graph-model.ts';
import { loadDataset, type Dataset } from '../../runtime/data/index.ts';
import { compileSpec } from '../shared/session.ts';
import { dirname } from 'node:path';
import { restoreParams } from '../../runtime/train/trainer.ts';
import { RuntimeFault } from '../../runtime/train/fault.ts';
import { patchGrid, selectBlocks } from '../../runtime/routes/layout.ts';
import { analyseRoutes, routePictures, writeRoutes } from '../../runtime/routes/routes.ts';
import { firstImages, readRouteImages } from '../../runtime/routes/images.ts';
import { looksLikeRun, routingCheckpoint, runData, runGraph } from '../../runtime/routes/source.ts';
import type { ImageChoice } from '../../runtime/routes/analyse.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { DataSpec } from '../../compiler/model.ts';
import { activateBackend, parseBackend, parseThreads } from '../shared/backend.ts';
import { parseIntFlag, THREADS_HELP } from '../shared/flags.ts';

interface RoutesFlags {
  checkpoint?: string;
  split?: string;
  n?: string;
  block?: string;
  slot?: string;
  patch?: string;
  out?: string;
  train?: string;
  set: string[];
  backend: string;
  threads?: string;
  stats: boolean;
}

function parseSlot(value: string | undefined, graph: Graph, blocks: ReturnType<typeof selectBlocks>): ImageChoice['slot'] {
  if (value === undefined) return undefined;
  const m = /^(\d+):(\d+)$/.exec(value.trim());
  if (!m) throw new UserError(`--slot expects EXPERT:SLOT (e.g. 0:1), got '${value}'`);
  const [e, c] = [Number(m[1]), Number(m[2])];
  for (const b of blocks)
    if (e >= b.experts || c >= b.capacity)
      throw new RuntimeFault('MOE0708', `--slot ${value}: block ${b.index} of ${graph.meta.model} has experts 0–${b.experts - 1} and slots 0–${b.capacity - 1}`);
  return { expert: e, slot: c };
}

export async function runRoutes(target: string, images: string[], flags: RoutesFlags, ctx: CliContext): Promise<number> {
  const backendName = parseBackend(flags.backend);
  const threads = parseThreads({ flag: flags.threads, env: ctx.env });
  const at = (p: string) => resolve(ctx.cwd, p);
  const shown = (p: string) => relative(ctx.cwd, p) || '.';
  let graph: Graph;
  let data: DataSpec | undefined;
  let baseDir: string;
  let seed = 0;
  const checkpointPath = flags.checkpoint ?? (looksLikeRun(at(target)) ? target : undefined);
  if (!checkpointPath) throw new UserError('moec routes SPEC needs --checkpoint RUN (a run folder or checkpoint folder)', 'or give the run folder itself: moec routes runs/<run>');
  if (looksLikeRun(at(target))) {
    graph = runGraph(at(target));
    baseDir = at(target);
    // The run's copy of the spec names the data (for --split test).
    const found = runData(at(target), graph, flags.train);
    if (!('error' in found)) [data, baseDir, seed] = [found.data, found.baseDir, found.seed];
  } else {
    const spec = compileSpec(target, { overrides: flags.set, ...(flags.train !== undefined ? { train: flags.train } : {}) }, ctx);
    if (!spec || !spec.train) return EXIT_ERROR;
    [graph, data, baseDir, seed] = [spec.graph(), spec.train.data, dirname(spec.path), spec.train.seed];
  }
  const blocks = selectBlocks(graph, parseIntFlag('--block', flags.block, 0));
  const grid = patchGrid(graph);
  const patches = grid.rows * grid.cols;
  const patch = parseIntFlag('--patch', flags.patch, 0);
  if (patch !== undefined && patch >= patches) throw new RuntimeFault('MOE0708', `--patch ${patch}: the model has ${patches} patches (0–${patches - 1}, row by row)`);
  const choice: ImageChoice = { ...(patch !== undefined ? { patch } : {}), ...(flags.slot ? { slot: parseSlot(flags.slot, graph, blocks) } : {}) };
  const ckpt = routingCheckpoint(at(checkpointPath));

  const split = flags.split;
  if (split !== undefined && split !== 'test') throw new UserError(`--split expects 'test', got '${split}'`);
  if (images.length > 0 && split) throw new UserError('give image files or --split test, not both');
  const n = parseIntFlag('--n', flags.n) ?? 16;
  let dataset: Dataset | undefined;
  const needData = split !== undefined || images.length === 0 || flags.stats;
  if (needData) {
    if (!data) throw new RuntimeFault('MOE0709', `${target}: no train block names the data, so --split test has no images`, 'give image files, or the spec with --train');
    dataset = await loadDataset(data, { shape: grid.image, classes: graph.vit?.classes ?? ckpt.manifest.state.classes?.length ?? 0, baseDir });
  }
  const classes = ckpt.manifest.state.classes ?? dataset?.classes ?? Array.from({ length: graph.vit?.classes ?? 0 }, (_, c) => String(c));
  const shownImages =
    images.length > 0
      ? { pixels: await readRouteImages(images.map(at), grid.image, shown), names: images }
      : firstImages(dataset!.test, grid.image, n);
  if (shownImages.names.length === 0) throw new RuntimeFault('MOE0709', 'no images to analyse', 'give image files or --split test');

  await activateBackend(backendName, threads);
  const model = createGraphModel(graph, { seed });
  try {
    restoreParams(model, ckpt);
    const report = await analyseRoutes({
      model,
      blocks,
      grid,
      classes,
      images: shownImages,
      ...(dataset ? { statsSplit: { split: dataset.test, description: `test split of ${dataset.name} (${dataset.test.count} images)` } } : {}),
      choice,
      step: ckpt.manifest.state.step,
      checkpoint: shown(ckpt.dir),
    });
    const outDir = at(flags.out ?? (looksLikeRun(at(target)) ? join(target, 'routes') : 'routes'));
    const files = writeRoutes(outDir, report, routePictures(report, shownImages.pixels));
    ctx.stdout.write(`routes of ${report.images.length} image${report.images.length === 1 ? '' : 's'} in block${blocks.length === 1 ? '' : 's'} ${blocks.map((b) => b.index).join(', ')} (checkpoint ${shown(ckpt.dir)}, step ${report.step})\n`);
    for (const b of report.blocks) {
      const s = b.stats;
      ctx.stdout.write(`  block ${b.index} ${b.router}: ${b.experts} experts × ${b.capacity}${s ? `, over ${s.images} test images: drop rate ${(s.dropRate * 100).toFixed(2)}%, ${s.meanExpertsPerToken.toFixed(2)} experts per token` : ''}\n`);
    }
    ctx.stdout.write(`wrote ${files.length} files to ${shown(outDir)} (routes.json, ${files.length - 1} pictures)\n`);
  } finally {
    model.dispose();
  }
  return 0;
}

export const routesCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('routes')
      .description('picture where each image patch goes in every MoE block (PNG, SVG, routes.json)')
      .argument('<spec-or-run>', '.moe file (with --checkpoint) or a run folder')
      .argument('[images...]', 'PNG or JPEG images of the model\'s size (default: --split test)')
      .option('--checkpoint <dir>', 'a run folder (its latest checkpoint) or a checkpoint folder; default: the run folder given')
      .option('--split <split>', 'picture images of the test split')
      .option('--n <n>', 'how many test images to picture', '16')
      .option('--block <i>', 'only this MoE block')
      .option('--slot <e:c>', 'Soft MoE: the slot whose dispatch weights to show (default: the one peaking on each image)')
      .option('--patch <p>', 'Soft MoE: the patch whose combine weights to show (row-major index; default the centre)')
      .option('--stats', 'also compute block statistics over the test split when images are given')
      .option('-o, --out <dir>', 'output folder (default RUN/routes or ./routes)')
      .option('--train <name>', 'the train block whose data to use')
      .option('--set <field=value>', 'override a model field (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
      .option('--threads <n>', THREADS_HELP)
      .action(async (target: string, images: string[], flags: RoutesFlags) => {
        setExit(await runRoutes(target, images, flags, ctx));
      });
  },
};

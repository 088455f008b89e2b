// `moec report RUN [-o report.html]`: one self-contained HTML page about a run
// (docs/report.md). Also writes RUN/routes/ (routes.json and the pictures).
import { relative, resolve } from 'node:path';
import type { CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';
import { BACKEND_NAMES } from '../../runtime/backend.ts';
import { writeRunReport } from '../../runtime/report/run-report.ts';
import type { Dataset } from '../../runtime/data/index.ts';
import { activateBackend, parseBackend, parseThreads } from '../shared/backend.ts';
import { parseIntFlag, THREADS_HELP } from '../shared/flags.ts';

interface ReportFlags {
  out?: string;
  images?: string;
  statsImages?: string;
  backend: string;
  threads?: string;
}

export async function runReport(run: string, flags: ReportFlags, ctx: CliContext): Promise<number> {
  const backendName = parseBackend(flags.backend);
  const threads = parseThreads({ flag: flags.threads, env: ctx.env });
  await activateBackend(backendName, threads);
  const dir = resolve(ctx.cwd, run);
  const result = await writeRunReport(dir, flags.out ? resolve(ctx.cwd, flags.out) : undefined, {
    images: parseIntFlag('--images', flags.images),
    statsImages: parseIntFlag('--stats-images', flags.statsImages),
  });
  for (const n of result.notes) ctx.stderr.write(`note: ${n}\n`);
  ctx.stdout.write(`report: ${relative(ctx.cwd, result.file) || result.file}\n`);
  return 0;
}

export const reportCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('report')
      .description('write a self-contained HTML report of a run: spec, summary, curves, routing')
      .argument('<run>', 'a run folder')
      .option('-o, --out <file>', 'the HTML file (default RUN/report.html)')
      .option('--images <n>', 'test images to picture (default 8)')
      .option('--stats-images <n>', 'test images the routing statistics cover (default all, at most 2000)')
      .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
      .option('--threads <n>', THREADS_HELP)
      .action(async (run: string, flags: ReportFlags) => {
        setExit(await runReport(run, flags, ctx));
      });
  },
};

/** `moec train`'s last step (also after a stop): the run's report.html, its path printed. Never fails the run. */
export async function reportAfterTraining(runDir: string, dataset: Dataset, ctx: CliContext): Promise<void> {
  try {
    const result = await writeRunReport(runDir, undefined, { dataset });
    for (const n of result.notes) ctx.stderr.write(`note: report: ${n}\n`);
    ctx.stdout.write(`report: ${relative(ctx.cwd, result.file) || result.file}\n`);
  } catch (e) {
    ctx.stderr.write(`warning: could not write the report: ${(e as Error).message}\n`);
    if (ctx.verbose && e instanceof Error && e.stack) ctx.stderr.write(`${e.stack}\n`);
  }
}

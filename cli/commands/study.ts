// `moec study FILE… [--steps N] [--batch N] [--seed N] [--backend B] [--out DIR]`:
// trains several specs on the same data, steps, batch and seed, then writes a table
// (study.md, study.json) and the accuracy-against-training-time plot
// (accuracy_vs_time.svg/.png) and report.html with the routing pictures of the
// same test images side by side — docs/performance.md, docs/report.md. Exit 1 if a spec has errors
// or a model failed to train.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cpus } from 'node:os';
import { EXIT_ERROR, type CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';
import { activateBackend, parseBackend, parseThreads } from '../shared/backend.ts';
import { backendOption, parseIntFlag, threadsOption } from '../shared/flags.ts';
import { describeData, loadStudyData, planStudy, runStudyEntry, studyPath } from '../../runtime/study/study.ts';
import { accuracyChartSvg, studyJson, studyMarkdown, type StudySettings } from '../../runtime/study/render.ts';
import { svgToPng } from '../../runtime/plots/line-chart.ts';
import type { StudyEntry } from '../../runtime/study/entry.ts';
import { studyReportHtml, studyRoutes, type StudyRoutes } from '../../runtime/report/study-report.ts';

interface StudyFlags {
  steps?: string;
  batch?: string;
  seed?: string;
  backend: string;
  threads?: string;
  out?: string;
}

export function machineDescription(): string {
  const list = cpus();
  return `${list.length} × ${list[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
}

export async function runStudy(files: string[], flags: StudyFlags, ctx: CliContext): Promise<number> {
  const backendName = parseBackend(flags.backend);
  const threads = parseThreads({ flag: flags.threads, env: ctx.env });
  const plan = planStudy({
    files,
    cwd: ctx.cwd,
    steps: parseIntFlag('--steps', flags.steps),
    batch: parseIntFlag('--batch', flags.batch),
    seed: parseIntFlag('--seed', flags.seed, 0),
    onDiagnostics: (d, sources) => ctx.printDiagnostics(d, sources, 'text'),
  });
  if (!plan) return EXIT_ERROR;
  const outDir = studyPath(ctx.cwd, flags.out);
  const backend = await activateBackend(backendName, threads);
  const { data, steps } = await loadStudyData(plan);
  const say = (s: string) => ctx.stderr.write(s + '\n');
  say(`moec study: ${plan.specs.length} specs, ${describeData(plan.specs[0]!.train)}, ${steps} steps of batch ${plan.batch}, seed ${plan.seed}, backend ${backend.label}`);
  const settings: StudySettings = {
    backend: backend.name,
    threads: backend.threads,
    data: `${data.name} (${data.train.count} training, ${data.test.count} test images)`,
    steps,
    batch: plan.batch,
    seed: plan.seed,
    machine: machineDescription(),
    date: new Date().toISOString(),
  };
  const entries: StudyEntry[] = [];
  const routes = new Map<number, StudyRoutes>();
  for (const spec of plan.specs) {
    say(`training ${spec.model.name} (${relative(ctx.cwd, spec.path) || spec.path})…`);
    const index = entries.length;
    const entry = await runStudyEntry(spec, data, { steps, batch: plan.batch, seed: plan.seed }, say, async (model) => {
      const r = await studyRoutes(model, data);
      if (r) routes.set(index, r);
    });
    entries.push(entry);
    const acc = entry.finalAccuracy !== undefined ? `${(entry.finalAccuracy * 100).toFixed(2)} %` : '–';
    say(`  ${entry.model}: ${entry.status}, test accuracy ${acc}, ${entry.trainSeconds.toFixed(1)} s, ${entry.imagesPerSecond.toFixed(1)} img/s${entry.reason ? ` (${entry.reason})` : ''}`);
  }
  mkdirSync(outDir, { recursive: true });
  const markdown = studyMarkdown(entries, settings);
  writeFileSync(join(outDir, 'study.md'), markdown);
  writeFileSync(join(outDir, 'study.json'), studyJson(entries, settings));
  const svg = accuracyChartSvg(entries, settings);
  writeFileSync(join(outDir, 'accuracy_vs_time.svg'), svg);
  writeFileSync(join(outDir, 'accuracy_vs_time.png'), svgToPng(svg));
  writeFileSync(join(outDir, 'report.html'), studyReportHtml(entries, settings, routes));
  ctx.stdout.write(markdown);
  ctx.stdout.write(`\nwrote study.md, study.json, accuracy_vs_time.svg and .png to ${relative(ctx.cwd, outDir) || '.'}\n`);
  ctx.stdout.write(`report: ${relative(ctx.cwd, join(outDir, 'report.html'))}\n`);
  return entries.some((e) => e.status !== 'completed') ? EXIT_ERROR : 0;
}

export const studyCommand: CommandModule = {
  register(program, ctx, setExit) {
    const command = program
      .command('study')
      .description('train several specs on the same data, steps and seed; write a comparison table and an accuracy-vs-time plot')
      .argument('<files...>', '.moe files (each with one model, optionally one train block)')
      .option('--steps <n>', 'training steps for every spec (default: the first spec\'s train block)')
      .option('--batch <n>', 'images per step for every spec (default: the first spec\'s)')
      .option('--seed <n>', 'seed for every spec (default: the first spec\'s)');
    backendOption(command);
    threadsOption(command);
    command
      .option('--out <dir>', 'output folder (default: runs/study-<time>)')
      .action(async (files: string[], flags: StudyFlags) => {
        const code = await runStudy(files, flags, ctx);
        if (code !== 0) setExit(code);
      });
  },
};

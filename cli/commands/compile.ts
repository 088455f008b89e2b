// `moec compile FILE [--model NAME] [-o graph.json|graph.yaml|graph.dot] [--format json|yaml|dot]
//  [--print] [--json] [--set field=value …]`: checks the spec, lowers the chosen model to
// the op graph, validates it against the schema, writes it, and prints a cost summary.
import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import Table from 'cli-table3';
import { stringify } from 'yaml';
import { printResolvedSpec } from '../../compiler/index.ts';
import { validateGraph } from '../../compiler/graph/schema.ts';
import { graphAsDot } from '../../compiler/graph/dot.ts';
import { costOf } from '../../compiler/cost.ts';
import type { BlockCost, CostSummary } from '../../compiler/cost.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { ResolvedModel } from '../../compiler/model.ts';
import { EXIT_ERROR, EXIT_INTERNAL, UserError, type CliContext } from '../context.ts';
import type { CommandModule } from '../context.ts';
import { setOption } from '../shared/flags.ts';
import { compileSpec } from '../shared/session.ts';

type GraphFormat = 'json' | 'yaml' | 'dot';

interface CompileOptions {
  model?: string;
  output?: string;
  format?: string;
  print?: boolean;
  json?: boolean;
  set: string[];
}

function graphFormat(opts: CompileOptions): GraphFormat | undefined {
  if (opts.format !== undefined) {
    if (opts.format === 'json' || opts.format === 'yaml' || opts.format === 'dot') return opts.format;
    throw new UserError(`unknown graph format '${opts.format}'`, 'use --format json, yaml or dot');
  }
  if (opts.output === undefined) return undefined;
  const ext = extname(opts.output).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.dot' || ext === '.gv') return 'dot';
  if (ext === '.json') return 'json';
  throw new UserError(`cannot tell the format of '${opts.output}' from its extension`, 'name it .json, .yaml or .dot, or pass --format');
}

export function serializeGraph(graph: Graph, format: GraphFormat): string {
  if (format === 'dot') return graphAsDot(graph);
  if (format === 'yaml') return stringify(graph, { aliasDuplicateObjects: false });
  return JSON.stringify(graph, null, 1) + '\n';
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
/** GFLOPs with three significant digits below 1 (small models), else three decimals. */
const gflops = (f: number): string => (f >= 1e9 ? (f / 1e9).toFixed(3) : f === 0 ? '0' : (f / 1e9).toPrecision(3));

function layerText(b: BlockCost): string {
  if (b.kind === 'dense') return 'dense';
  return `MoE ${b.router}${b.routerName ? ` (${b.routerName})` : ''}, ${b.experts} experts × ${b.capacity} slots`;
}

export function summaryTable(cost: CostSummary): string {
  const table = new Table({
    head: ['block', 'layer', 'params', 'active params', 'GFLOPs'],
    colAligns: ['right', 'left', 'right', 'right', 'right'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  table.push(['', 'embedding, head, norms', int(cost.outside.params), int(cost.outside.params), gflops(cost.outside.flops)]);
  for (const b of cost.blocks) table.push([String(b.index), layerText(b), int(b.params), int(b.activeParams), gflops(b.flops)]);
  table.push(['', 'total', int(cost.totalParams), int(cost.activeParams), gflops(cost.flops)]);
  return table.toString() + '\n';
}

export function summaryJson(cost: CostSummary, model: ResolvedModel, output?: string): object {
  return {
    model: model.name,
    tokens: model.tokens,
    totalParams: cost.totalParams,
    activeParams: Math.round(cost.activeParams),
    flops: cost.flops,
    gflops: cost.flops / 1e9,
    outside: cost.outside,
    blocks: cost.blocks.map((b) => ({ ...b, activeParams: Math.round(b.activeParams) })),
    ...(output ? { output } : {}),
  };
}

export const compileCommand: CommandModule = {
  register(program, ctx: CliContext, setExit) {
    const command = program
      .command('compile')
      .description('check a .moe file, lower a model to the op graph and print its cost (params, FLOPs)')
      .argument('<file>', 'the .moe file')
      .option('--model <name>', 'the model to compile when the file declares several (or a preset, e.g. vit_b16)')
      .option('-o, --output <path>', 'write the graph to this file (.json, .yaml or .dot)')
      .option('--format <format>', 'graph format: json, yaml or dot (default: from -o; without -o the graph goes to stdout)')
      .option('--print', 'print the fully resolved spec, every default filled in')
      .option('--json', 'print the cost summary as JSON');
    setOption(command);
    command.action((file: string, opts: CompileOptions) => {
        const format = graphFormat(opts);
        const compiled = compileSpec(file, { overrides: opts.set, train: false, ...(opts.model ? { model: opts.model } : {}) }, ctx);
        if (!compiled) return setExit(EXIT_ERROR);
        const { model, program: prog } = compiled;
        if (opts.print) {
          const train = [...prog.trains.values()].find((t) => t.model === model.name && prog.entryTrains.includes(t.name));
          ctx.stdout.write(printResolvedSpec(model, train));
          if (format === undefined && !opts.json) return;
        }
        const graph = compiled.graph();
        const invalid = validateGraph(JSON.parse(JSON.stringify(graph)) as unknown);
        if (invalid.length > 0) {
          ctx.stderr.write(`internal error: the compiled graph does not match its schema (a bug in moec):\n`);
          ctx.printDiagnostics(invalid, new Map(), 'text');
          return setExit(EXIT_INTERNAL);
        }
        const cost = costOf(graph);
        // The graph goes to stdout only when a format is asked for without -o; the summary then goes to stderr.
        const graphOnStdout = format !== undefined && opts.output === undefined;
        if (format !== undefined) {
          const text = serializeGraph(graph, format);
          if (opts.output) writeFileSync(resolve(ctx.cwd, opts.output), text);
          else ctx.stdout.write(text);
        }
        const summaryOut = graphOnStdout ? ctx.stderr : ctx.stdout;
        if (opts.json) summaryOut.write(JSON.stringify(summaryJson(cost, model, opts.output), null, 2) + '\n');
        else {
          summaryOut.write(`${model.name}: ${model.tokens} tokens per image, ${model.blocks.filter((b) => b.kind === 'moe').length} MoE blocks of ${model.depth}\n`);
          summaryOut.write(summaryTable(cost));
          if (opts.output) summaryOut.write(`wrote ${opts.output} (${format}, ${graph.nodes.length} nodes, ${graph.params.length} parameters)\n`);
        }
      });
  },
};

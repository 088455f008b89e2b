// The models `npm run bench:torch` compares (issue 12): the README example, its
// dense twin and the 16 M-parameter Soft MoE, each compiled by moec with its train
// block, whose optimiser, schedule and loss both sides use.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { compile, inMemoryFiles } from '../../compiler/compile.ts';
import type { Graph } from '../../compiler/graph/ir.ts';
import type { OptimizerSpec, ResolvedTrain, ScheduleSpec } from '../../compiler/model.ts';
import { learningRate } from '../../runtime/train/schedule.ts';
import { ROUTER_KINDS } from '../../compiler/routers/index.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const README_EXAMPLE = join(ROOT, 'examples', 'mnist_soft.moe');
export const SOFT16_SPEC = join(ROOT, 'bench', 'torch', 'cifar_soft16.moe');

export interface BenchCaseDef {
  readonly name: string;
  readonly what: string;
  /** Run without --cases (the issue's three); the router cases check the interpreter on every router. */
  readonly byDefault: boolean;
  /** The spec's text and the name it is compiled under. */
  source(): { readonly file: string; readonly text: string };
}

const MOE_RULE = /^([ \t]*blocks last \d+:[ \t]*)moe\(.*\)([ \t]*(#.*)?)\r?$/m;

/** The README example with its router replaced by `expression` (the same blocks, experts on the same shapes). */
export function withRouterText(exampleText: string, expression: string): string {
  if (!MOE_RULE.test(exampleText)) throw new Error('the README example has no `blocks last N: moe(...)` line to change the router of');
  return exampleText.replace(MOE_RULE, (_, head: string) => `${head}moe(${expression})`);
}

/** The README example with its MoE rule removed: the same ViT, every block a dense MLP. */
export function denseTwinText(exampleText: string): string {
  const rule = /^[ \t]*blocks last \d+:[ \t]*moe\(.*\)[ \t]*(#.*)?\r?\n/m;
  if (!rule.test(exampleText)) throw new Error('the README example has no `blocks last N: moe(...)` line to remove for its dense twin');
  return exampleText.replace(rule, '');
}

export const CASES: readonly BenchCaseDef[] = [
  {
    name: 'mnist_soft',
    byDefault: true,
    what: 'README example (examples/mnist_soft.moe), Soft MoE in the last 2 of 4 blocks',
    source: () => ({ file: README_EXAMPLE, text: readFileSync(README_EXAMPLE, 'utf8') }),
  },
  {
    name: 'mnist_dense',
    byDefault: true,
    what: 'its dense twin (the same ViT, every block a dense MLP)',
    source: () => ({ file: join(dirname(README_EXAMPLE), 'mnist_dense.moe'), text: denseTwinText(readFileSync(README_EXAMPLE, 'utf8')) }),
  },
  {
    name: 'cifar_soft16',
    byDefault: true,
    what: '16 M parameters: 32x32x3, patch 4, width 192, depth 6, Soft MoE (16 experts) in the last 3 blocks (bench/torch/cifar_soft16.moe)',
    source: () => ({ file: SOFT16_SPEC, text: readFileSync(SOFT16_SPEC, 'utf8') }),
  },
  // Every other router kind on the README example's shapes (8 experts, 16 tokens per image), to check the interpreter.
  ...Object.entries(ROUTER_KINDS)
    .filter(([kind]) => kind !== 'soft_moe')
    .map(([kind, info]): BenchCaseDef => {
      // Without training noise where the router has it, so that the losses can be compared exactly.
      const bench = info.bench(8, 16);
      const expression = /normalize: (softmax|sinkhorn)/.test(bench) ? bench.replace(/\)$/, ', noise: 0)') : bench;
      return {
        name: `router_${kind}`,
        byDefault: false,
        what: `the README example with \`${expression}\` in its last 2 blocks`,
        source: () => ({ file: join(dirname(README_EXAMPLE), `mnist_${kind}.moe`), text: withRouterText(readFileSync(README_EXAMPLE, 'utf8'), expression) }),
      };
    }),
];

export const CASE_NAMES = CASES.map((c) => c.name);
export const DEFAULT_CASES = CASES.filter((c) => c.byDefault).map((c) => c.name);
export const ROUTER_CASES = CASES.filter((c) => c.name.startsWith('router_')).map((c) => c.name);

/** Batch sizes of the issue: 64 for the MNIST pair, 16 for the 16 M case (their train blocks' batches). */
export interface CompiledCase {
  readonly name: string;
  readonly what: string;
  readonly graph: Graph;
  readonly train: ResolvedTrain;
  /** Total steps of the train block (for the schedule). */
  readonly totalSteps: number;
}

/** The number of updates the train block runs (steps, or epochs × ⌊train images / batch⌋ when the data says its size). */
export function trainBlockSteps(train: ResolvedTrain): number {
  if (train.steps !== undefined) return train.steps;
  const images = train.data.args.train;
  if (typeof images === 'number') return (train.epochs ?? 1) * Math.max(1, Math.floor(images / train.batch));
  throw new Error(`train block ${train.name}: give it \`steps\` (the bench cannot tell how many images ${train.data.kind} has)`);
}

export function compileCase(def: BenchCaseDef, batch?: number): CompiledCase {
  const { file, text } = def.source();
  const name = relative(ROOT, file) || file;
  const c = compile(name, { readFile: inMemoryFiles({ [name]: text }), ...(batch !== undefined ? { trainFlags: { batch } } : {}) });
  if (!c.ok || !c.train) throw new Error(`bench case ${def.name} (${name}) does not compile: ${c.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  const graph = c.graph();
  if (def.name === 'mnist_dense' && graph.blocks.some((b) => b.kind !== 'dense')) throw new Error('internal: the dense twin still has MoE blocks');
  return { name: def.name, what: def.what, graph, train: c.train, totalSteps: trainBlockSteps(c.train) };
}

/** The learning rates of steps [from, from + count) of the case's schedule. */
export function learningRates(optimizer: OptimizerSpec, schedule: ScheduleSpec, from: number, count: number, total: number): number[] {
  return Array.from({ length: count }, (_, i) => learningRate(schedule, optimizer.lr, from + i, total));
}

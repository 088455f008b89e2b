// Compiles ViT-H/14 with Soft MoE (256 experts) in its last 16 blocks: check,
// lower, validate against the schema and cost — the whole of `moec compile`
// without writing. Prints the median of several runs after a warm-up.
// Not a test: node bin/run-ts.mjs bench/compile.ts
import { loadProgram, selectModel } from '../compiler/index.ts';
import { lowerModel } from '../compiler/lower/index.ts';
import { validateGraph } from '../compiler/graph/schema.ts';
import { costOf } from '../compiler/cost.ts';

const RUNS = 7;
const SPEC = 'specs/soft_moe_h14.moe';

function compileOnce(): { checkMs: number; lowerMs: number; validateMs: number; costMs: number; params: number; nodes: number } {
  const t0 = performance.now();
  const program = loadProgram(SPEC);
  const model = selectModel(program).value;
  if (!model) throw new Error(`${SPEC} does not check`);
  const t1 = performance.now();
  const graph = lowerModel(model, { source: SPEC });
  const t2 = performance.now();
  const problems = validateGraph(graph);
  if (problems.length > 0) throw new Error(`invalid graph: ${problems[0].message}`);
  const t3 = performance.now();
  const cost = costOf(graph);
  const t4 = performance.now();
  return { checkMs: t1 - t0, lowerMs: t2 - t1, validateMs: t3 - t2, costMs: t4 - t3, params: cost.totalParams, nodes: graph.nodes.length };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

compileOnce(); // warm-up (module loading, schema compilation)
const runs = Array.from({ length: RUNS }, compileOnce);
const total = runs.map((r) => r.checkMs + r.lowerMs + r.validateMs + r.costMs);
const last = runs[runs.length - 1];
console.log(`compile ${SPEC}: ${last.nodes} nodes, ${last.params.toLocaleString('en-US')} parameters`);
console.log(
  `median of ${RUNS}: total ${median(total).toFixed(1)} ms ` +
    `(check ${median(runs.map((r) => r.checkMs)).toFixed(1)}, lower ${median(runs.map((r) => r.lowerMs)).toFixed(1)}, ` +
    `validate ${median(runs.map((r) => r.validateMs)).toFixed(1)}, cost ${median(runs.map((r) => r.costMs)).toFixed(1)} ms)`,
);

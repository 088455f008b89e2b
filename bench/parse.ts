// Lexes and parses a generated 10,000-line spec and prints lines per second (median of
// several runs, after a warm-up). Not a test: node bin/run-ts.mjs bench/parse.ts
import { parse } from '../grammar/index.ts';

const TARGET_LINES = 10_000;
const RUNS = 7;

function generateSpec(lines: number): string {
  const out: string[] = ['# generated for bench/parse.ts', 'import "base.moe"', ''];
  for (let i = 0; ; i++) {
    const block = [
      `router r${i} = token_choice(normalize: sinkhorn, experts: ${8 + (i % 8)}, k: 2, capacity: 1.25, bpr: true)`,
      '',
      `# model number ${i}`,
      `model m${i} extends vit_s16 {`,
      '  image: 224x224x3',
      '  patch: 16',
      `  width: ${64 * (1 + (i % 4))}`,
      '  depth: 12',
      '  heads: width / 64',
      '  mlp: 4 * width + (width % 3) - -1',
      '  classes: 1000, pool: cls',
      '  dropout: .1',
      '  blocks all: dense',
      '  blocks every 2 from 1: moe(soft(experts: 128, slots: 1), mlp: 2 * width)',
      `  blocks 0..2, 7, 9..11: moe(r${i})`,
      '  blocks last 4: moe(expert_choice(normalize: sparsity, experts: 32, iterations: 20))',
      '}',
      '',
      `train t${i} {`,
      `  model: m${i}`,
      '  data: mnist(train: 8000, test: 2000)',
      '  optimizer: adamw(lr: 1e-3, weight_decay: 1e-4) # trailing comment',
      '  schedule: cosine(warmup: 100)',
      `  seed: ${i}`,
      '}',
      '',
    ];
    if (out.length + block.length > lines) break;
    out.push(...block);
  }
  // Pad with comment lines to exactly `lines` lines, so every declaration is complete.
  while (out.length < lines) out.push('# padding');
  return out.join('\n') + '\n';
}

const text = generateSpec(TARGET_LINES);
const lineCount = text.split('\n').length - 1;

const t0 = performance.now();
const first = parse(text, 'bench.moe');
const firstMs = performance.now() - t0;
if (first.diagnostics.length > 0) {
  throw new Error(`the generated spec should be valid, got: ${first.diagnostics[0].message}`);
}

const times: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const start = performance.now();
  parse(text, 'bench.moe');
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];

process.stdout.write(
  [
    `lines: ${lineCount}, declarations: ${first.file.declarations.length}`,
    `first parse (includes building the parser): ${firstMs.toFixed(1)} ms`,
    `median of ${RUNS} runs (lex + parse + AST): ${median.toFixed(1)} ms`,
    `throughput: ${Math.round(lineCount / (median / 1000)).toLocaleString('en-US')} lines/s`,
    '',
  ].join('\n'),
);

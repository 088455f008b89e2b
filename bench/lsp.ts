// Language-server latency on a 2,000-line spec (issue 16's targets: diagnostics within
// 50 ms after a change, hover within 10 ms). Runs the bundled server as a child process,
// as an editor does, with no debounce, and times over stdio:
//   - change → publishDiagnostics (one model's depth toggled between valid and invalid);
//   - hover on a `blocks` line (cold: first lowering of that model; warm: cached cost);
//   - the in-process analysis alone (loadProgram on the same text), for comparison.
//   node bin/run-ts.mjs bench/lsp.ts [--reps N]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, HoverRequest } from 'vscode-languageserver-protocol/node';
import { bundleServer, removeBundle, startSession } from '../tests/lsp/client.ts';
import { analyze } from '../cli/lsp/analysis.ts';

const repsFlag = process.argv.indexOf('--reps');
const REPS = repsFlag >= 0 ? Number(process.argv[repsFlag + 1]) : 40;

/** A spec of about `lines` lines: routers, models extending presets with block rules, train blocks. */
function bigSpec(lines: number): string {
  const out: string[] = ['# generated for bench/lsp.ts', '', 'router wide = soft(experts: 16, slots: 1)', 'router tc = token_choice(experts: 8, k: 2)', ''];
  for (let i = 0; out.length < lines - 8; i++) {
    out.push(
      `model m${i} extends vit_s16 {`,
      '  image:   32x32x3',
      '  patch:   4',
      '  classes: 10',
      `  width:   ${192 + 64 * (i % 3)}`,
      '  depth:   12',
      '  heads:   4',
      '  mlp:     4 * width',
      '  dropout: 0.1',
      '',
      '  blocks every 2:  moe(wide)',
      `  blocks last ${1 + (i % 3)}:  moe(tc, mlp: 512)`,
      '}',
      '',
    );
  }
  out.push('train quick {', '  model: m0', '  steps: 100', '}', '');
  return out.join('\n');
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
const ms = (x: number) => `${x.toFixed(1)} ms`;

const text = bigSpec(2000);
const lineCount = text.split('\n').length;
const dir = mkdtempSync(join(tmpdir(), 'moec-lsp-bench-'));
const path = join(dir, 'big.moe');
writeFileSync(path, text);
const uri = pathToFileURL(path).href;

const server = await bundleServer();
const session = await startSession(['node', server], { diagnostics: { debounceMs: 0 } });
const c = session.connection;
await c.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'moe', version: 1, text } });
await session.waitForDiagnostics(uri, () => true, 60_000);

// change → diagnostics: alternate a valid and an invalid depth so each change publishes a new list.
const valid = text;
const invalid = text.replace('  depth:   12', '  depth:   0');
const changes: number[] = [];
for (let i = 0; i < REPS; i++) {
  const next = i % 2 === 0 ? invalid : valid;
  const started = performance.now();
  await c.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: i + 2 }, contentChanges: [{ text: next }] });
  await session.waitForDiagnostics(uri, (d) => (next === invalid ? d.length > 0 : d.length === 0), 60_000);
  changes.push(performance.now() - started);
}

// hover on a blocks line of the last model: cold (its first lowering), then warm.
const lines = valid.split('\n');
const lastBlocks = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('  blocks every 2')).pop()![1];
const hoverOnce = async () => {
  const started = performance.now();
  const h = await c.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: lastBlocks, character: 4 } });
  if (!h) throw new Error('no hover');
  return performance.now() - started;
};
const cold = await hoverOnce();
const hovers: number[] = [];
for (let i = 0; i < REPS; i++) hovers.push(await hoverOnce());
const fieldHovers: number[] = [];
for (let i = 0; i < REPS; i++) {
  const started = performance.now();
  await c.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: lastBlocks - 6, character: 4 } });
  fieldHovers.push(performance.now() - started);
}
await session.close();
removeBundle(server);

// The analysis alone, in this process.
// CPU time too: on a shared machine the wall clock also counts other processes' turns.
const analyses: number[] = [];
const analysisCpu: number[] = [];
for (let i = 0; i < REPS; i++) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  analyze(path, i, (p) => (p === path ? (i % 2 ? valid : invalid) : undefined));
  const cpu = process.cpuUsage(cpu0);
  analyses.push(performance.now() - t0);
  analysisCpu.push((cpu.user + cpu.system) / 1000);
}
rmSync(dir, { recursive: true, force: true });

const models = (valid.match(/^model /gm) ?? []).length;
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`);
console.log(`moec lsp latency — ${lineCount}-line spec (${models} models), ${REPS} repetitions, debounce 0, median / p90`);
console.log(`  change → diagnostics published   ${ms(quantile(changes, 0.5))} / ${ms(quantile(changes, 0.9))}   (target 50 ms)`);
console.log(`  analysis alone (in process)      ${ms(quantile(analyses, 0.5))} / ${ms(quantile(analyses, 0.9))}   (CPU time ${ms(quantile(analysisCpu, 0.5))})`);
console.log(`  hover on a blocks line, warm     ${ms(quantile(hovers, 0.5))} / ${ms(quantile(hovers, 0.9))}   (target 10 ms; cold, first lowering: ${ms(cold)})`);
console.log(`  hover on a field                 ${ms(quantile(fieldHovers, 0.5))} / ${ms(quantile(fieldHovers, 0.9))}`);

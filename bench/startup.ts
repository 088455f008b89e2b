// Start-up time of the `moec` command (issue: ship compiled JavaScript, load heavy
// modules only where needed). Process wall time, median of N interleaved runs, for the
// bundled CLI (dist/, what `npm ci` builds) and the TypeScript sources through tsx, with
// `node -e 0` as the floor this machine imposes. Ratios are measured in one run.
//   node bin/run-ts.mjs bench/startup.ts [--reps N]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const repsFlag = process.argv.indexOf('--reps');
const reps = repsFlag >= 0 ? Number(process.argv[repsFlag + 1]) : 10;

if (!existsSync(join(root, 'dist', 'inputs.json'))) {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(1);
}

interface Case {
  readonly label: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
}
const moec = join(root, 'bin', 'moec.mjs');
const example = join(root, 'examples', 'mnist_soft.moe');
const cases: readonly Case[] = [
  { label: 'node -e 0 (floor)', args: ['-e', '0'] },
  { label: 'moec --help (dist)', args: [moec, '--help'] },
  { label: 'moec check example (dist)', args: [moec, 'check', example] },
  { label: 'moec --help (tsx)', args: [moec, '--help'], env: { MOEC_FROM_SOURCE: '1' } },
  { label: 'moec check example (tsx)', args: [moec, 'check', example], env: { MOEC_FROM_SOURCE: '1' } },
];

function wallMs(c: Case): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, c.args, { env: { ...process.env, ...c.env }, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${c.label} exited ${r.status}`);
  return performance.now() - start;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const times = new Map<string, number[]>(cases.map((c) => [c.label, []]));
for (const c of cases) wallMs(c); // warm the file cache
for (let i = 0; i < reps; i++) for (const c of cases) times.get(c.label)!.push(wallMs(c));

const m = new Map([...times].map(([k, v]) => [k, median(v)]));
console.log(`start-up, process wall time, median of ${reps} interleaved runs (other processes may share the CPU)`);
for (const c of cases) console.log(`  ${c.label.padEnd(28)} ${m.get(c.label)!.toFixed(0).padStart(6)} ms`);
const ratio = (a: string, b: string): string => `${(m.get(a)! / m.get(b)!).toFixed(2)}×`;
console.log(`  tsx / dist: --help ${ratio('moec --help (tsx)', 'moec --help (dist)')}, check ${ratio('moec check example (tsx)', 'moec check example (dist)')}`);
console.log(`  targets: check ≤ 500 ms, --help ≤ 300 ms (dist, above the node floor of ${m.get('node -e 0 (floor)')!.toFixed(0)} ms)`);

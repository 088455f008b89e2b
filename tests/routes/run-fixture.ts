// A real (tiny) run folder for the routing and report tests: `moec train` on a
// folder dataset of generated 14×14 images, 2 steps. The spec comment and one
// class folder name carry HTML/script injections (they must render as text).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../runtime/routes/png.ts';
import { runCli } from '../support/run-cli.ts';

export const SCRIPT_COMMENT = '</script><script>alert(1)</script>';
export const HOSTILE_CLASS = '<img src=x onerror=alert(1)>';
export const CLASSES = ['bars', HOSTILE_CLASS, 'dots'];

/** A 14×14 greyscale image of class c (distinct patterns, a little per-image variation). */
export function classImage(c: number, i: number, size = 14): Uint8Array {
  return Uint8Array.from({ length: size * size }, (_, p) => {
    const [y, x] = [Math.floor(p / size), p % size];
    const on = c === 0 ? x % 4 < 2 : c === 1 ? y < size / 2 : (x + y + i) % 5 === 0;
    return on ? 220 - 10 * (i % 3) : 20;
  });
}

export function writeFolderData(root: string, perClass: { train: number; test: number }): void {
  for (const split of ['train', 'test'] as const)
    CLASSES.forEach((name, c) => {
      const dir = join(root, split, name);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < perClass[split]; i++) writeFileSync(join(dir, `${i}.png`), encodePng(classImage(c, i), 14, 14, 1));
    });
}

export function specText(router: string): string {
  return `# tiny model for the report tests ${SCRIPT_COMMENT}
model tiny_report {
  image:   14x14x1
  patch:   7
  width:   8
  depth:   2
  heads:   2
  mlp:     16
  classes: 3
  blocks last 1: moe(${router})
}

train t {
  model:      tiny_report
  data:       folder(train: "data/train", test: "data/test")
  batch:      12
  steps:      2
  eval_every: 2
  seed:       0
}
`;
}

export interface RunFixture {
  readonly root: string;
  readonly spec: string;
  readonly run: string;
  readonly trainOutput: string;
}

/** Trains the tiny spec into ROOT/run (about 5 s on the cpu backend). */
export async function trainedRun(router = 'token_choice(experts: 4, k: 2, capacity: 1.0, multiple_of: 1)'): Promise<RunFixture> {
  const root = mkdtempSync(join(tmpdir(), 'moec-report-'));
  writeFolderData(join(root, 'data'), { train: 8, test: 4 });
  const spec = join(root, 'tiny.moe');
  writeFileSync(spec, specText(router));
  const r = await runCli(['train', spec, '--out', join(root, 'run'), '--backend', 'cpu'], { cwd: root });
  if (r.code !== 0) throw new Error(`training the fixture failed:\n${r.stdout}\n${r.stderr}`);
  return { root, spec, run: join(root, 'run'), trainOutput: r.stdout };
}

// The output folder of an export: refused when it exists (unless forced), so an
// export never overwrites anything by surprise; files are written under a
// temporary name and renamed into place, so a failure leaves no half file.
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeFault } from '../runtime/train/fault.ts';

/** Checks the folder can be written: absent, or present with `force` (and a folder). */
export function checkOutputFolder(out: string, force: boolean): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new RuntimeFault('MOE0643', `${out} exists and is not a folder`, 'choose another -o');
  if (!force) throw new RuntimeFault('MOE0643', `output folder ${out} already exists; nothing was written`, 'choose another -o, or give --force to write into it');
}

/** Writes files (name → bytes or text) into `out`, each atomically. */
export function writeOutputFiles(out: string, files: ReadonlyArray<readonly [string, Uint8Array | string]>): string[] {
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of files) {
    const final = join(out, name);
    const tmp = join(out, `.${name}.tmp-${process.pid}`);
    try {
      writeFileSync(tmp, content);
      renameSync(tmp, final);
    } finally {
      rmSync(tmp, { force: true });
    }
    written.push(final);
  }
  return written;
}

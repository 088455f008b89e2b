// metrics.jsonl: one JSON object per line, appended with one write per record.
// A kill can at worst leave the last line unfinished; `readMetricsFile` skips such
// a line, and a resume rewrites the file atomically with only the records up to the
// checkpoint's step (each (split, step) once), so no record is torn or duplicated.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { guarded, writeAtomic } from '../io/atomic.ts';

export interface StepRecord {
  readonly step: number;
  readonly split: string;
}

export class MetricsLog {
  private fd: number | undefined;
  constructor(readonly file: string) {}

  append(record: object): void {
    guarded(this.file, 'append to', () => {
      this.fd ??= openSync(this.file, 'a');
      const line = Buffer.from(JSON.stringify(record) + '\n', 'utf8');
      let done = 0;
      while (done < line.length) done += writeSync(this.fd, line, done, line.length - done);
    });
  }

  /** Makes every appended record durable (called before a checkpoint is committed). */
  sync(): void {
    if (this.fd !== undefined) guarded(this.file, 'write', () => fsyncSync(this.fd!));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Every complete, parseable record of a metrics file (an unfinished last line is skipped). */
export function readMetricsFile<T extends StepRecord>(file: string): T[] {
  if (!existsSync(file)) return [];
  const text = guarded(file, 'read', () => readFileSync(file, 'utf8'));
  return text.split('\n').flatMap((l) => {
    if (l.trim() === '') return [];
    try {
      const r = JSON.parse(l) as T;
      return r && typeof r === 'object' && typeof r.step === 'number' && typeof r.split === 'string' ? [r] : [];
    } catch {
      return [];
    }
  });
}

/** The records of steps ≤ `step`, each (split, step) once (the first: later copies come from a run that was not truncated). */
export function recordsUpTo<T extends StepRecord>(records: readonly T[], step: number): T[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.split}:${r.step}`;
    if (r.step > step || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Rewrites metrics.jsonl atomically with the records up to `step` (a resume's first write). */
export function truncateMetrics(file: string, step: number): number {
  const kept = recordsUpTo(readMetricsFile(file), step);
  writeAtomic(file, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  return kept.length;
}

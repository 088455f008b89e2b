// Checks of a schema-valid manifest that a schema cannot express: the tensor
// table tiles tensors.bin exactly (in order, no gap, no overlap, length = the
// product of the shape), names are unique, the training state is consistent with
// itself and with the folder's name, and the values are finite. Each failure
// names the tensor or the field.
import { basename } from 'node:path';
import { RuntimeFault } from '../train/fault.ts';
import type { Manifest, TensorRecord } from './manifest.ts';

const label = (t: TensorRecord) => `${t.group === 'param' ? 'parameter' : 'optimiser tensor'} '${t.name}'`;

/** The writer lays tensors out back to back in table order; anything else is an edit or damage. */
export function checkLayout(m: Manifest, file: string): void {
  const seen = new Set<string>();
  let offset = 0;
  for (const [i, t] of m.tensors.entries()) {
    const key = `${t.group}:${t.name}`;
    if (seen.has(key)) throw new RuntimeFault('MOE0533', `${file}: tensors[${i}]: ${label(t)} is listed twice`);
    seen.add(key);
    const elements = t.shape.reduce((a, b) => a * b, 1);
    if (elements !== t.length)
      throw new RuntimeFault('MOE0533', `${file}: tensors[${i}]: ${label(t)} has shape [${t.shape.join(', ')}] (${elements} values) but length ${t.length}`);
    if (t.offset !== offset)
      throw new RuntimeFault(
        'MOE0533',
        `${file}: tensors[${i}]: ${label(t)} starts at byte ${t.offset}, expected ${offset} (tensors are stored back to back in table order; offsets were edited or swapped)`,
        'use another checkpoint of the run',
      );
    offset += t.length * 4;
  }
  if (offset !== m.bytes) throw new RuntimeFault('MOE0533', `${file}: the tensors hold ${offset} bytes but the manifest says tensors.bin has ${m.bytes}`);
}

/** step, epoch, position in the epoch and optimiser count agree with each other and with the folder name. */
export function checkState(m: Manifest, dir: string, file: string): void {
  const s = m.state;
  const bad = (what: string) => new RuntimeFault('MOE0536', `${file}: state.${what}`, 'the manifest was edited or damaged; use another checkpoint of the run');
  const named = /^step-(\d{8,})$/.exec(basename(dir));
  if (named && Number(named[1]) !== s.step) throw bad(`step is ${s.step} but the folder is ${basename(dir)}`);
  if (s.step > s.totalSteps) throw bad(`step ${s.step} is beyond the run's ${s.totalSteps} steps`);
  if (s.optimizer.count > s.step) throw bad(`optimizer.count ${s.optimizer.count} is more than the ${s.step} steps done`);
  if (s.epoch === 0 ? s.batchInEpoch !== s.step : (s.step - s.batchInEpoch) % s.epoch !== 0 || (s.step - s.batchInEpoch) / s.epoch <= s.batchInEpoch)
    throw bad(`epoch ${s.epoch} and batchInEpoch ${s.batchInEpoch} do not add up to step ${s.step}`);
}

/** The first NaN or infinite value of any tensor, as a fault naming it (`what`: loading or saving). */
export function checkFinite(tensors: Iterable<{ name: string; group: string; data: Float32Array }>, where: string, code: 'MOE0534' | 'MOE0535'): void {
  for (const t of tensors) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v - v !== 0) {
        const kind = t.group === 'param' ? 'parameter' : 'optimiser tensor';
        throw code === 'MOE0534'
          ? new RuntimeFault(code, `${where}: ${kind} '${t.name}' holds ${v} at index ${i}: the checkpoint's weights are not finite`, 'use an earlier checkpoint of the run')
          : new RuntimeFault(code, `${where}: ${kind} '${t.name}' holds ${v} at index ${i}: refusing to save a checkpoint with non-finite weights`, 'the last good checkpoint is kept; lower the learning rate or add clipping');
      }
    }
  }
}

/** A tensor the model expects: name and shape, in the model's order. */
export interface ExpectedTensor {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * Compares one group of the tensor table with what the model holds, before any
 * weight is assigned: same names in the same order with the same shapes.
 */
export function checkFits(m: Manifest, dir: string, group: 'param' | 'optimizer', expected: readonly ExpectedTensor[]): void {
  const records = m.tensors.filter((t) => t.group === group);
  const kind = group === 'param' ? 'parameter' : 'optimiser tensor';
  const other = 'the checkpoint was written for a different model';
  const byName = new Map(records.map((t, i) => [t.name, { t, i }]));
  const wanted = new Set(expected.map((e) => e.name));
  for (const [j, e] of expected.entries()) {
    const found = byName.get(e.name);
    if (!found) throw new RuntimeFault('MOE0509', `${dir}: the checkpoint has no ${kind} '${e.name}' that the model needs`, other);
    const { t, i } = found;
    if (t.shape.length !== e.shape.length || t.shape.some((d, k) => d !== e.shape[k]))
      throw new RuntimeFault('MOE0509', `${dir}: tensor '${e.name}' has shape [${t.shape.join(', ')}] in the checkpoint but [${e.shape.join(', ')}] in the model`, other);
    if (i !== j) throw new RuntimeFault('MOE0509', `${dir}: ${kind} '${e.name}' is tensor ${i} of its group in the checkpoint but ${j} in the model (reordered table)`, other);
  }
  for (const t of records) if (!wanted.has(t.name)) throw new RuntimeFault('MOE0509', `${dir}: the checkpoint holds tensor '${t.name}' that the model does not have`, other);
}

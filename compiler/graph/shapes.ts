// Shape rules shared by the op definitions (ops.ts): broadcasting, axes, and the
// error an op raises when its inputs do not fit.
import type { Dim, Shape } from './ir.ts';
import { dimsEqual, shapeToString } from './dims.ts';

/** Inputs that do not fit an op (thrown by OpDef.infer; the builder lets it through, validation reports it). */
export class GraphShapeError extends Error {}

export function fail(message: string): never {
  throw new GraphShapeError(message);
}

/** `axis` in [0, rank) (negative counts from the end). */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) fail(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Numpy broadcasting of two static shapes. */
export function broadcastShapes(a: Shape, b: Shape): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1 || dimsEqual(x, y)) out.push(x);
    else fail(`cannot broadcast ${shapeToString(a)} with ${shapeToString(b)}`);
  }
  return out;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => dimsEqual(d, b[i]));
}

// Symbolic dimensions: a number, or a rational multiple of the batch size B,
// written "B", "B*49", "B/2" or "B*49/2" (always in lowest terms).
import type { Dim, Shape } from './ir.ts';

/** A dimension as `num/den` times B^power, power 0 (a constant) or 1. */
export interface Rational {
  readonly num: number;
  readonly den: number;
  readonly power: 0 | 1;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

const DIM_PATTERN = /^B(?:\*(\d+))?(?:\/(\d+))?$/;

export function isSymbolic(d: Dim): d is string {
  return typeof d === 'string';
}

export function parseDim(d: Dim): Rational {
  if (typeof d === 'number') return { num: d, den: 1, power: 0 };
  const m = DIM_PATTERN.exec(d);
  if (!m) throw new Error(`invalid dimension '${d}' (expected a number or B, B*n, B/n, B*n/m)`);
  return { num: m[1] ? Number(m[1]) : 1, den: m[2] ? Number(m[2]) : 1, power: 1 };
}

export function isValidDim(d: unknown): d is Dim {
  if (typeof d === 'number') return Number.isInteger(d) && d >= 0;
  return typeof d === 'string' && DIM_PATTERN.test(d);
}

export function formatDim(r: Rational): Dim {
  const g = gcd(r.num, r.den);
  const num = r.num / g;
  const den = r.den / g;
  if (r.power === 0) {
    if (den !== 1) throw new Error(`dimension ${r.num}/${r.den} is not an integer`);
    return num;
  }
  return `B${num !== 1 ? `*${num}` : ''}${den !== 1 ? `/${den}` : ''}`;
}

export function dimsEqual(a: Dim, b: Dim): boolean {
  const x = parseDim(a);
  const y = parseDim(b);
  return x.power === y.power && x.num * y.den === y.num * x.den;
}

/** Product of several dims; throws if B would appear twice. */
export function dimProduct(dims: readonly Dim[]): Rational {
  let num = 1;
  let den = 1;
  let power = 0;
  for (const d of dims) {
    const r = parseDim(d);
    num *= r.num;
    den *= r.den;
    power += r.power;
    const g = gcd(num, den);
    num /= g;
    den /= g;
  }
  if (power > 1) throw new Error('a shape may contain the batch dimension B only once');
  return { num, den, power: power as 0 | 1 };
}

export function rationalsEqual(x: Rational, y: Rational): boolean {
  return x.power === y.power && x.num * y.den === y.num * x.den;
}

export function mulDim(d: Dim, factor: number): Dim {
  const r = parseDim(d);
  return formatDim({ ...r, num: r.num * factor });
}

export function divDim(d: Dim, divisor: number): Dim {
  const r = parseDim(d);
  if (r.power === 0 && r.num % divisor !== 0) throw new Error(`${d} is not divisible by ${divisor}`);
  return formatDim({ ...r, den: r.den * divisor });
}

/** Substitutes a concrete batch size; throws if the result is not a whole number. */
export function concreteDim(d: Dim, batch: number): number {
  const r = parseDim(d);
  if (r.power === 0) return r.num / r.den;
  const v = (batch * r.num) / r.den;
  if (!Number.isInteger(v)) throw new Error(`dimension ${d} is not whole for batch ${batch}`);
  return v;
}

export function concreteShape(shape: Shape, batch: number): number[] {
  return shape.map((d) => concreteDim(d, batch));
}

/** Number of elements per batch element: the coefficient of B (constant-only shapes count fully). */
export function sizePerExample(shape: Shape): number {
  const r = dimProduct(shape);
  return r.num / r.den;
}

export function shapeToString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** The smallest batch that makes every symbolic dimension of the nodes whole (routing groups spanning images need a multiple). */
export function batchMultipleOf(graph: { readonly nodes: readonly { readonly shape: Shape }[] }): number {
  let multiple = 1;
  for (const node of graph.nodes)
    for (const d of node.shape) {
      if (typeof d !== 'string') continue;
      const r = parseDim(d);
      const den = r.den / gcd(r.num, r.den);
      multiple = (multiple * den) / gcd(multiple, den);
    }
  return multiple;
}

// Re-infers every node of a graph with its op's definition (ops.ts) and reports
// where the recorded shape, dtype or FLOPs disagree, so a hand-edited or foreign
// graph file is refused with a located diagnostic instead of failing inside a
// kernel. Each node is inferred from its inputs' *recorded* types, so one wrong
// node gives one diagnostic, not a cascade. Runs after the structural checks
// (ids, order, declared parameters) have passed.
import type { Diagnostic, Span } from '../../diagnostics/diagnostic.ts';
import { diagnostic } from '../../diagnostics/catalogue.ts';
import type { Graph, Shape } from './ir.ts';
import { blockOutput } from './ir.ts';
import { dimsEqual, shapeToString } from './dims.ts';
import { inferNode, type InferEnv, type TensorType } from './ops.ts';
import { shapesEqual } from './shapes.ts';

type PathSegment = string | number;
type Locate = (path: PathSegment[]) => Span | undefined;

/** FLOPs are per image and may be fractional (B/2 shapes); compare with a relative tolerance. */
function sameFlops(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function nodeChecks(graph: Graph, at: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const types = new Map<string, TensorType>();
  const params = new Map(graph.params.map((p) => [p.name, p.shape]));
  const inputs = new Map(graph.inputs.map((i) => [i.name as string, i.shape]));
  const env: InferEnv = { input: (name) => inputs.get(name), param: (name) => params.get(name) };
  graph.nodes.forEach((n, i) => {
    types.set(n.id, { shape: n.shape, dtype: n.dtype });
    let inferred;
    try {
      inferred = inferNode(n.op, n.inputs.map((id) => types.get(id)!), n.attrs, env);
    } catch (e) {
      out.push(diagnostic('MOE0407', `nodes[${i}] ('${n.id}', ${n.op}): ${(e as Error).message}`, at(['nodes', i])));
      return;
    }
    if (!shapesEqual(inferred.shape, n.shape)) {
      out.push(diagnostic('MOE0408', `nodes[${i}].shape: '${n.id}' (${n.op}) records ${shapeToString(n.shape)}, but its inputs give ${shapeToString(inferred.shape)}`, at(['nodes', i, 'shape'])));
    }
    if (inferred.dtype !== n.dtype) {
      out.push(diagnostic('MOE0409', `nodes[${i}].dtype: '${n.id}' (${n.op}) records ${n.dtype}, but its inputs give ${inferred.dtype}`, at(['nodes', i, 'dtype'])));
    }
    if (!sameFlops(inferred.flops, n.flops)) {
      out.push(diagnostic('MOE0410', `nodes[${i}].flops: '${n.id}' (${n.op}) records ${n.flops} FLOPs per image, but its op counts ${inferred.flops}`, at(['nodes', i, 'flops'])));
    }
  });
  return out;
}

function outputChecks(graph: Graph, at: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const shapeOf = new Map(graph.nodes.map((n) => [n.id, n.shape]));
  const output = (name: string): Shape | undefined => {
    const id = graph.outputs[name];
    return id === undefined ? undefined : shapeOf.get(id);
  };
  const logits = output('logits');
  if (logits && logits.length !== 2) out.push(diagnostic('MOE0412', `outputs.logits: '${graph.outputs.logits}' is ${shapeToString(logits)}, not [B, classes]`, at(['outputs', 'logits'])));
  const aux = output('aux_loss');
  if (aux && aux.length !== 0) out.push(diagnostic('MOE0412', `outputs.aux_loss: '${graph.outputs.aux_loss}' is ${shapeToString(aux)}, not a scalar`, at(['outputs', 'aux_loss'])));
  for (const block of graph.blocks) {
    if (block.kind !== 'moe') continue;
    for (const which of ['dispatch', 'combine']) {
      const name = blockOutput(block.index, which);
      const shape = output(name);
      if (!shape) continue;
      const fits = shape.length === 4 && dimsEqual(shape[1], block.group ?? NaN) && dimsEqual(shape[2], block.experts ?? NaN) && dimsEqual(shape[3], block.capacity ?? NaN);
      if (!fits) {
        out.push(
          diagnostic(
            'MOE0411',
            `outputs["${name}"]: '${graph.outputs[name]}' is ${shapeToString(shape)}, but block ${block.index} routes groups of ${block.group} tokens to ${block.experts} experts with ${block.capacity} slot${block.capacity === 1 ? '' : 's'} each ([G, ${block.group}, ${block.experts}, ${block.capacity}])`,
            at(['outputs', name]),
          ),
        );
      }
    }
  }
  return out;
}

/** Shape, dtype and FLOP re-inference of every node, and the shapes of the named outputs. */
export function inferenceChecks(graph: Graph, at: Locate = () => undefined): Diagnostic[] {
  return [...nodeChecks(graph, at), ...outputChecks(graph, at)];
}

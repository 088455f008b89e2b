// Diagnostic codes MOE04xx. Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const graphCodes: CodeTable = {
  MOE0401: { severity: 'error', description: 'a graph file does not match the graph schema (the message names the JSON path)' },
  MOE0402: { severity: 'error', description: 'two nodes of a graph share an id, or two parameters a name' },
  MOE0403: { severity: 'error', description: 'a node input is not the id of an earlier node' },
  MOE0404: { severity: 'error', description: 'a param node names a parameter the graph does not declare' },
  MOE0405: { severity: 'error', description: 'a graph output names no node' },
  MOE0406: { severity: 'error', description: 'a graph file cannot be read or is not valid JSON / YAML' },
  MOE0407: { severity: 'error', description: "a node's inputs do not fit its op (shapes, ranks, dtypes or attributes; the op definitions are in compiler/graph/ops.ts)" },
  MOE0408: { severity: 'error', description: "a node's recorded shape differs from the shape its op gives for its inputs" },
  MOE0409: { severity: 'error', description: "a node's recorded dtype differs from the dtype its op gives for its inputs" },
  MOE0410: { severity: 'error', description: "a node's recorded FLOPs differ from its op's count (the cost model would be wrong)" },
  MOE0411: { severity: 'error', description: "a MoE block's dispatch or combine output is not [groups, group size, experts, slots] as its block description says" },
  MOE0412: { severity: 'error', description: 'the logits output is not [B, classes] or the aux_loss output is not a scalar' },
};

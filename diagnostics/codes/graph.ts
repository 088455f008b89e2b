// Diagnostic codes MOE04xx. Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const graphCodes: CodeTable = {
  MOE0401: { severity: 'error', description: 'a graph file does not match the graph schema (the message names the JSON path)' },
  MOE0402: { severity: 'error', description: 'two nodes of a graph share an id, or two parameters a name' },
  MOE0403: { severity: 'error', description: 'a node input is not the id of an earlier node' },
  MOE0404: { severity: 'error', description: 'a param node names a parameter the graph does not declare' },
  MOE0405: { severity: 'error', description: 'a graph output names no node' },
  MOE0406: { severity: 'error', description: 'a graph file cannot be read or is not valid JSON / YAML' },
};

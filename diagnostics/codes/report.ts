// Diagnostic codes MOE07xx (0701–0719): routing analysis and reports
// (`moec routes`, `moec report`). Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const reportCodes: CodeTable = {
  MOE0701: { severity: 'error', description: 'a run folder holds no checkpoint, so there are no trained weights to analyse' },
  MOE0702: { severity: 'error', description: "an image given to `moec routes` has a different size from the model's `image`" },
  MOE0703: { severity: 'error', description: "an image given to `moec routes` has a different channel count from the model's `image`" },
  MOE0704: { severity: 'error', description: '`--block` names a block that is not an MoE block' },
  MOE0705: { severity: 'error', description: 'the model has no MoE block, so there is no routing to analyse' },
  MOE0706: { severity: 'error', description: 'a path is not a run folder (no graph.json) or does not exist' },
  MOE0707: { severity: 'error', description: 'the graph does not expose the routing tensors or image layout the analysis needs' },
  MOE0708: { severity: 'error', description: '`--slot`, `--patch` or `--n` is out of range for the model or the split' },
  MOE0709: { severity: 'error', description: 'no images to analyse: give image files or `--split test`' },
};

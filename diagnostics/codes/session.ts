// Diagnostic codes MOE0520–MOE0529: opening run folders, loading trained models,
// evaluating and predicting with them. Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const sessionCodes: CodeTable = {
  MOE0520: { severity: 'error', description: 'a run folder is missing, is not a folder, or lacks its graph.json or checkpoints' },
  MOE0521: { severity: 'error', description: "a run folder's spec copy (spec.resolved.moe) is missing or does not check, so its data and loss are unknown" },
  MOE0522: { severity: 'error', description: 'a checkpoint outside a run folder was given without the graph it belongs to' },
  MOE0523: { severity: 'error', description: 'images passed to a model have a shape the model does not take' },
  MOE0524: { severity: 'error', description: 'the batch does not fit the routing groups of the model (a group spans several images)' },
  MOE0525: { severity: 'error', description: 'the spec file to compile cannot be read' },
  MOE0526: { severity: 'error', description: 'a command-line training setting is out of range (--steps, --epochs, --batch, --seed) or --steps and --epochs are both given' },
};

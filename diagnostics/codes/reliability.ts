// Diagnostic codes MOE0530–MOE0559: checkpoints as a verified format, run folders
// as transactions, file-system faults and memory limits (docs/training.md, "Faults").
// Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const reliabilityCodes: CodeTable = {
  MOE0530: { severity: 'error', description: 'a checkpoint path is a file (or its manifest.json / tensors.bin is a folder), not a checkpoint folder' },
  MOE0531: { severity: 'error', description: 'a checkpoint manifest does not follow the manifest schema (the message names the field and tensor)' },
  MOE0532: { severity: 'error', description: "a checkpoint manifest's own SHA-256 does not match its content (the manifest was edited or damaged)" },
  MOE0533: { severity: 'error', description: "a checkpoint's tensor table does not tile tensors.bin (offsets edited or swapped, a length that is not the shape's product, a tensor listed twice)" },
  MOE0534: { severity: 'error', description: 'a checkpoint holds a NaN or infinite value (the message names the tensor)' },
  MOE0535: { severity: 'error', description: 'refused to save a checkpoint whose weights are NaN or infinite' },
  MOE0536: { severity: 'error', description: "a checkpoint's training state is inconsistent (step beyond the run, not the folder's step, epoch and position that do not add up)" },
  MOE0537: { severity: 'error', description: "a checkpoint records another graph than the run folder's graph.json (graphSha256 differs)" },
  MOE0538: { severity: 'error', description: '`train --out DIR` names an existing run folder (resume it with --resume DIR, or overwrite it with --force)' },
  MOE0539: { severity: 'error', description: 'the run folder is in use by another training (lock file with a live process id)' },
  MOE0540: { severity: 'error', description: 'a path of the run folder cannot be created: a file is in the way of a folder, or a folder in the way of a file' },
  MOE0541: { severity: 'error', description: 'the run folder is not writable (read-only file system or permission denied)' },
  MOE0542: { severity: 'error', description: 'the disk is full: the run folder could not be written (the last good checkpoint is kept)' },
  MOE0543: { severity: 'error', description: 'another file-system error while reading or writing the run folder' },
  MOE0544: { severity: 'error', description: "a resumed run's model differs from the graph.json of the run folder" },
  MOE0545: { severity: 'error', description: 'a run folder to resume is damaged (graph.json unreadable or not schema-valid)' },
  MOE0546: { severity: 'error', description: 'the model does not fit the memory of the backend (the message gives the estimate)' },
};

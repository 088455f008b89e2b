// Diagnostic codes MOE0621–MOE0649: .npz files (export/npz/) and the vmoe
// exporter/importer (export/vmoe/). Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const vmoeCodes: CodeTable = {
  MOE0621: { severity: 'error', description: 'a .npz file is not a readable zip archive (truncated, corrupt or another format)' },
  MOE0622: { severity: 'error', description: 'a .npz entry has an unsafe or unexpected name (path components such as `..`, an absolute path, a backslash, or not `.npy`)' },
  MOE0623: { severity: 'error', description: 'a .npz file declares absurd sizes (too many entries, or an entry or total larger than the limit): refused as a possible zip bomb' },
  MOE0624: { severity: 'error', description: 'a .npy entry has a bad header (magic, version or header dictionary)' },
  MOE0625: { severity: 'error', description: 'a .npy entry holds an array moec does not load (object/pickled, not little-endian float32, or Fortran order)' },
  MOE0626: { severity: 'error', description: "a .npy entry's byte count does not match the shape in its header (truncated or padded)" },
  MOE0627: { severity: 'error', description: 'a .npz file holds the same array name twice' },
  MOE0631: { severity: 'error', description: 'a parameter the model needs is missing from the .npz file' },
  MOE0632: { severity: 'error', description: 'the .npz file holds a parameter the model does not have' },
  MOE0633: { severity: 'error', description: 'a .npz parameter has a different shape from the model parameter it maps to' },
  MOE0634: { severity: 'error', description: 'the .npz file is not a ViT/vmoe parameter file for this architecture (unknown layout, depth or width)' },
  MOE0640: { severity: 'error', description: "vmoe cannot express the model: its MoE blocks differ in router or expert settings (vmoe's encoder takes one `moe` config)" },
  MOE0641: { severity: 'error', description: 'vmoe runs Sinkhorn iterations in blocks of 10: an iteration count that is not a multiple of 10 cannot be exported' },
  MOE0642: { severity: 'error', description: 'vmoe cannot express another part of the model (named in the message)' },
  MOE0643: { severity: 'error', description: 'the output folder of an export already exists (give --force to write into it)' },
  MOE0644: { severity: 'error', description: '`--init-from`/`--checkpoint` FILE.npz cannot be used with this model (e.g. upcycling a model whose dense MLP width differs from its experts)' },
};

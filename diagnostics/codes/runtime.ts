// Diagnostic codes MOE05xx. Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const runtimeCodes: CodeTable = {
  MOE0501: { severity: 'error', description: 'a data folder or file does not exist or cannot be read' },
  MOE0502: { severity: 'error', description: 'an image file is corrupt or cannot be decoded' },
  MOE0503: { severity: 'error', description: "an image has the wrong channel count or size for the model's `image`" },
  MOE0504: { severity: 'error', description: 'a class folder holds no images, or a data split is empty' },
  MOE0505: { severity: 'error', description: 'an IDX or CIFAR-10 file is truncated or has a bad header' },
  MOE0506: { severity: 'error', description: 'the requested split sizes exceed the images available' },
  MOE0507: { severity: 'error', description: 'the loss became NaN or infinite; training stopped' },
  MOE0508: { severity: 'error', description: 'a checkpoint is corrupt (checksum mismatch, unreadable manifest or truncated weights)' },
  MOE0509: { severity: 'error', description: 'a checkpoint does not match the model graph (missing, extra or differently shaped tensor)' },
  MOE0510: { severity: 'error', description: 'no checkpoint was found to resume from or to evaluate' },
  MOE0511: { severity: 'error', description: 'the dataset does not match the model (class count)' },
};

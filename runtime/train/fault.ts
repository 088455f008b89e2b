// A user-facing failure of training, data loading or checkpointing: a stable
// MOE05xx code (diagnostics/codes/runtime.ts) plus a message that names the file
// or tensor and says what is wrong. It is a UserError, so the CLI prints it
// without a stack trace.
import { UserError } from '../../cli/context.ts';
import { catalogue } from '../../diagnostics/catalogue.ts';

export class RuntimeFault extends UserError {
  constructor(
    readonly code: string,
    message: string,
    help?: string,
  ) {
    if (!catalogue[code]) throw new Error(`internal: runtime code ${code} is not in the catalogue`);
    super(`${code}: ${message}`, help);
    this.name = 'RuntimeFault';
  }
}

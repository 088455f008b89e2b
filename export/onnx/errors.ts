// The exporter's user-facing failures: a MOE06xx code and a message naming the
// node, option or file (a RuntimeFault, so the CLI prints it without a trace).
import { RuntimeFault } from '../../runtime/train/fault.ts';

export class OnnxExportError extends RuntimeFault {
  constructor(code: string, message: string, help?: string) {
    super(code, message, help);
    this.name = 'OnnxExportError';
  }
}

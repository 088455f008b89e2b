// Failures a user can cause that are not source diagnostics: a missing file, a bad
// flag, a corrupt checkpoint, data that does not fit the model. They are thrown (the
// work cannot go on) and printed without a stack trace by whoever catches them
// (the CLI: exit 1). Rendering goes through diagnostics/render.ts (renderFault), so
// the code is data, never part of the message.
import { catalogue } from './catalogue.ts';
import type { Diagnostic } from './diagnostic.ts';

/** A user-facing failure; `code` (a catalogue code) when there is one. */
export class UserError extends Error {
  readonly code?: string;
  constructor(
    message: string,
    readonly help?: string,
    code?: string,
  ) {
    super(message);
    this.name = 'UserError';
    if (code !== undefined) {
      if (!catalogue[code]) throw new Error(`internal: code ${code} is not in the catalogue`);
      this.code = code;
    }
  }

  /** The failure as a diagnostic without a span (undefined when it has no code). */
  toDiagnostic(): Diagnostic | undefined {
    if (this.code === undefined) return undefined;
    return { code: this.code, severity: 'error', message: this.message, ...(this.help ? { help: this.help } : {}) };
  }
}

/**
 * A user-facing failure of training, data loading or checkpointing: a stable MOE05xx
 * code (diagnostics/codes/runtime.ts) plus a message that names the file or tensor and
 * says what is wrong.
 */
export class RuntimeFault extends UserError {
  declare readonly code: string;
  constructor(code: string, message: string, help?: string) {
    super(message, help, code);
    this.name = 'RuntimeFault';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

// Choosing and starting the tfjs backend for a command: one parser and one
// activation with the same messages everywhere.
import { UserError } from '../../diagnostics/fault.ts';
import { BACKEND_NAMES, BackendError, selectBackend, type BackendName } from '../../runtime/backend.ts';

export function parseBackend(value: string, except: readonly string[] = []): BackendName {
  const allowed = BACKEND_NAMES.filter((n) => !except.includes(n));
  if ((allowed as readonly string[]).includes(value)) return value as BackendName;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) throw new UserError(`this command cannot run on the ${value} backend`, `use one of ${allowed.join(', ')}`);
  throw new UserError(`unknown backend '${value}'`, `use one of ${allowed.join(', ')}`);
}

/** Starts the backend; returns `name (why)` for the log. A backend that cannot start is a UserError. */
export async function activateBackend(name: BackendName): Promise<string> {
  try {
    const b = await selectBackend(name);
    return `${b.name} (${b.reason})`;
  } catch (e) {
    if (e instanceof BackendError) throw new UserError(e.message, name === 'auto' ? undefined : 'try --backend auto (picks an available backend), wasm or cpu');
    throw e;
  }
}

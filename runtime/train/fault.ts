// RuntimeFault lives in diagnostics/fault.ts (the base of every user-facing failure);
// re-exported here for the runtime modules that import it from this place.
export { RuntimeFault } from '../../diagnostics/fault.ts';

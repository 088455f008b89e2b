// Diagnostic codes MOE02xx. Add new codes at the end; never renumber.
import type { CodeTable } from '../catalogue.ts';

export const resolveCodes: CodeTable = {
};

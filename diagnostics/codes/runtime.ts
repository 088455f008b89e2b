// Diagnostic codes MOE05xx. Add new codes at the end; never renumber.
import type { CodeTable } from '../catalogue.ts';

export const runtimeCodes: CodeTable = {
};

// Diagnostic codes MOE03xx. Add new codes at the end; never renumber.
import type { CodeTable } from '../catalogue.ts';

export const checkCodes: CodeTable = {
};

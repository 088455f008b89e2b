// Diagnostic codes MOE02xx. Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const resolveCodes: CodeTable = {
  MOE0201: { severity: 'error', description: 'a spec file (given on the command line or imported) does not exist or cannot be read' },
  MOE0202: { severity: 'error', description: 'imports form a cycle (the message names it)' },
  MOE0203: { severity: 'error', description: 'a name is declared twice (a note points at the first declaration)' },
  MOE0204: { severity: 'error', description: 'a model name (in `extends`, a train block or --model) is not declared' },
  MOE0205: { severity: 'error', description: '`extends` chains form a cycle' },
  MOE0206: { severity: 'error', description: 'a router name used in `moe(...)` is not declared' },
  MOE0207: { severity: 'error', description: 'model fields depend on each other in a cycle' },
  MOE0208: { severity: 'error', description: 'an expression names something that is not a field of the model' },
  MOE0209: { severity: 'error', description: 'a field is given twice in one declaration' },
  MOE0210: { severity: 'error', description: 'a train block names no model and its file declares none or several' },
  MOE0211: { severity: 'error', description: 'the model or train block asked for (by --model or by default) cannot be chosen' },
  MOE0212: { severity: 'error', description: 'a --set override is malformed or names an unknown field' },
  MOE0213: { severity: 'error', description: 'a name refers to a declaration of the wrong kind (e.g. `extends` a router)' },
  MOE0231: { severity: 'error', description: 'a router parameter is not known for the router family' },
  MOE0232: { severity: 'error', description: 'a router parameter belongs to another router family or normalizer' },
  MOE0233: { severity: 'error', description: 'unknown router kind (expected token_choice, expert_choice or soft)' },
  MOE0234: { severity: 'error', description: 'unknown model field' },
  MOE0235: { severity: 'error', description: 'unknown train field' },
  MOE0236: { severity: 'error', description: 'unknown argument or function in a call (data, optimizer, schedule, moe)' },
  MOE0237: { severity: 'warning', description: 'a --set router.PARAM override has no effect: the model has no MoE block' },
};

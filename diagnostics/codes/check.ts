// Diagnostic codes MOE03xx. Add new codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const checkCodes: CodeTable = {
  MOE0301: { severity: 'error', description: 'a value has the wrong type for its field or parameter' },
  MOE0302: { severity: 'error', description: 'a value is outside the allowed range' },
  MOE0303: { severity: 'error', description: 'a required field or parameter is missing' },
  MOE0304: { severity: 'error', description: 'an integer division does not divide exactly' },
  MOE0305: { severity: 'error', description: 'the patch size does not divide the image size' },
  MOE0306: { severity: 'error', description: '`heads` does not divide `width`' },
  MOE0307: { severity: 'error', description: 'a block selector names a block outside 0 … depth-1' },
  MOE0308: { severity: 'error', description: 'a block selector selects no block' },
  MOE0309: { severity: 'warning', description: 'a block rule is fully overridden by later rules' },
  MOE0310: { severity: 'error', description: '`normalize: sparsity` is only available for expert_choice' },
  MOE0311: { severity: 'error', description: '`k` exceeds the number of experts' },
  MOE0312: { severity: 'error', description: 'the resolved capacity is less than one slot per expert' },
  MOE0313: { severity: 'warning', description: 'rounding the capacity changes the effective capacity factor' },
  MOE0314: { severity: 'error', description: '`group` neither divides the tokens of an image nor is a multiple of them' },
  MOE0315: { severity: 'error', description: '`steps` and `epochs` are both given' },
  MOE0316: { severity: 'error', description: 'a name is not one of the values allowed for the field' },
  MOE0317: { severity: 'error', description: 'call arguments must be named (`name: value`)' },
  MOE0318: { severity: 'error', description: 'an argument is given twice in one call' },
  MOE0319: { severity: 'warning', description: '`capacity` is ignored because `slots` is given' },
  MOE0320: { severity: 'error', description: 'expert choice capacity exceeds the tokens of a routing group' },
};

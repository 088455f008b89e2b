// Diagnostic codes MOE0321–MOE0339: checks across declarations (a train block with
// the model it trains) and inputs that the lowering would refuse. Add new codes at the
// end; never renumber.
import type { CodeTable } from './table.ts';

export const programCodes: CodeTable = {
  MOE0321: { severity: 'error', description: "the batch is not a multiple of the images a routing group spans (a group holds several images' tokens)" },
  MOE0322: { severity: 'error', description: 'the dataset has more classes than the model' },
  MOE0323: { severity: 'error', description: "the dataset's images have colour channels the model cannot take (colour data for a greyscale model, or a model with neither 1 nor 3 channels)" },
};

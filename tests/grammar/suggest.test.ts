// Did-you-mean: candidates by edit distance, the help line, and the structured
// suggestion editors apply as a quick fix.
import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanFix, suggestions } from '../../diagnostics/suggest.ts';

describe('did you mean', () => {
  it('ranks close candidates and ignores far ones', () => {
    expect(suggestions('expers', ['experts', 'slots', 'group'])).toEqual(['experts']);
    expect(suggestions('zzz', ['experts', 'slots'])).toEqual([]);
    expect(didYouMean('widht', ['width', 'depth'])).toBe("did you mean 'width'?");
  });

  it('gives the best candidate as the suggestion, next to the same help', () => {
    expect(didYouMeanFix('bas', ['base', 'vit_b16'])).toEqual({ help: "did you mean 'base'?", suggestion: { replacement: 'base' } });
    expect(didYouMeanFix('cap', ['capacity', 'cap2'])).toEqual({ help: "did you mean 'cap2' or 'capacity'?", suggestion: { replacement: 'cap2' } });
    expect(didYouMeanFix('qqqq', ['base'])).toEqual({});
  });
});

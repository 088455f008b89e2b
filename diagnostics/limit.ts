// At most N diagnostics are shown (a file of 150,000 errors helps nobody and takes
// minutes to render): the first N, errors before warnings and notes, then one
// MOE0112 note that counts the rest, so text and JSON output stay bounded.
import type { Diagnostic } from './diagnostic.ts';
import { diagnostic } from './catalogue.ts';

export const MAX_DIAGNOSTICS = 200;

/** The diagnostics to show: all of them when there are at most `max`, else `max` and a note counting the rest. */
export function limitDiagnostics(all: readonly Diagnostic[], max = MAX_DIAGNOSTICS): readonly Diagnostic[] {
  if (all.length <= max) return all;
  const rank = { error: 0, warning: 1, note: 2 } as const;
  // A stable pick of the most severe, shown in their original order.
  const picked = all
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank[a.d.severity] - rank[b.d.severity] || a.i - b.i)
    .slice(0, max)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.d);
  const rest = all.length - max;
  const errors = all.filter((d) => d.severity === 'error').length - picked.filter((d) => d.severity === 'error').length;
  return [
    ...picked,
    diagnostic('MOE0112', `${rest} more diagnostic${rest === 1 ? '' : 's'} not shown (${errors} of them errors); ${all.length} in all`, undefined, {
      help: 'fix the first ones and check again',
    }),
  ];
}

// "Did you mean …?" suggestions by edit distance (in the spirit of graphql-js suggestionList).

export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[n];
}

/** Candidates close to `input`, best first; empty when nothing is plausibly meant. */
export function suggestions(input: string, candidates: Iterable<string>): string[] {
  const threshold = Math.max(1, Math.floor(input.length * 0.4));
  const scored: Array<[string, number]> = [];
  for (const c of candidates) {
    if (c === input) continue;
    const d = editDistance(input, c);
    if (d <= threshold || c.toLowerCase().startsWith(input.toLowerCase()) && input.length >= 3) scored.push([c, d]);
  }
  scored.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
  return scored.map(([c]) => c);
}

/** `did you mean 'x'?` or `did you mean 'x' or 'y'?`, or undefined when there is nothing close. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const best = suggestions(input, candidates).slice(0, 2);
  if (best.length === 0) return undefined;
  return `did you mean ${best.map((b) => `'${b}'`).join(' or ')}?`;
}

/** The did-you-mean help plus, when a candidate is close, the best one as the diagnostic's
 * suggestion (editors offer it as a quick fix); empty when nothing is close. */
export function didYouMeanFix(input: string, candidates: Iterable<string>): { help?: string; suggestion?: { replacement: string } } {
  const best = suggestions(input, candidates).slice(0, 2);
  if (best.length === 0) return {};
  return { help: `did you mean ${best.map((b) => `'${b}'`).join(' or ')}?`, suggestion: { replacement: best[0] } };
}

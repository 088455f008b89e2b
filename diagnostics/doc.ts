// docs/diagnostics.md is generated from the catalogue by scripts/gen-diagnostics-doc.ts;
// a test fails when the file and the catalogue disagree.
import { catalogue, type CodeTable } from './catalogue.ts';

const phases: ReadonlyArray<readonly [string, string]> = [
  ['MOE01', 'Syntax (lexer and parser)'],
  ['MOE02', 'Names, imports, inheritance'],
  ['MOE03', 'Types, values, model and router rules'],
  ['MOE04', 'Op graph files'],
  ['MOE05', 'Training, data, checkpoints, runtime'],
];

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function catalogueMarkdown(table: CodeTable = catalogue): string {
  const lines = [
    '# Diagnostic codes',
    '',
    '<!-- Generated from diagnostics/codes/*.ts by `node bin/run-ts.mjs scripts/gen-diagnostics-doc.ts`. Do not edit by hand. -->',
    '',
    'Every error and warning moec reports has a stable code. Codes are never renumbered;',
    'the text form is `file:line:col severity CODE: message` followed by the source line',
    '(see [language.md §5](language.md)); `moec check --format json` gives the same data as JSON.',
  ];
  const codes = Object.keys(table).sort();
  for (const [prefix, title] of phases) {
    const inPhase = codes.filter((c) => c.startsWith(prefix));
    if (inPhase.length === 0) continue;
    lines.push('', `## ${prefix}xx: ${title}`, '', '| code | severity | meaning |', '| --- | --- | --- |');
    for (const code of inPhase) lines.push(`| ${code} | ${table[code].severity} | ${cell(table[code].description)} |`);
  }
  const others = codes.filter((c) => !phases.some(([p]) => c.startsWith(p)));
  if (others.length > 0) {
    lines.push('', '## Other', '', '| code | severity | meaning |', '| --- | --- | --- |');
    for (const code of others) lines.push(`| ${code} | ${table[code].severity} | ${cell(table[code].description)} |`);
  }
  return lines.join('\n') + '\n';
}

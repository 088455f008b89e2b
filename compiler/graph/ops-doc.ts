// docs/ops.md, generated from the op table (ops.ts) so the vocabulary exporters
// read is never out of step with the code (scripts/gen-ops-doc.ts writes it,
// tests/compiler/ops-doc.test.ts checks it).
import { OPS, OP_KINDS } from './ops.ts';

function attrsOf(op: (typeof OP_KINDS)[number]): string {
  const def = OPS[op];
  const names = Object.entries(def.attrs).map(([name, type]) => `\`${name}\`: ${type}${def.optional?.includes(name) ? ' (optional)' : ''}`);
  return names.length ? names.join(', ') : '—';
}

function arityOf(op: (typeof OP_KINDS)[number]): string {
  const a = OPS[op].arity;
  return a === 'variadic' ? '1 or more' : String(a);
}

export function opsMarkdown(): string {
  const rows = OP_KINDS.map((op) => {
    const def = OPS[op];
    const doc = def.doc.replace(/\|/g, '\\|');
    return `| \`${op}\` | ${arityOf(op)} | ${attrsOf(op)} | ${def.grad} | ${def.flops ? 'counted' : '0'} | ${doc} |`;
  });
  return [
    '# Graph ops',
    '',
    '<!-- Generated from compiler/graph/ops.ts by `node bin/run-ts.mjs scripts/gen-ops-doc.ts`; do not edit. -->',
    '',
    'The op vocabulary of `moec-graph/2` files (docs/compile.md, "Graph files"). Every node has an',
    '`op` from this table, its `inputs` (node ids, in order), its `attrs`, and the `shape`, `dtype` and',
    '`flops` its op definition infers from the inputs; a loaded graph is re-inferred node by node',
    '(MOE0407–MOE0410). Elementwise ops broadcast like numpy. Dimensions may be symbolic batch',
    'multiples (`B`, `B*49`, `B/2`). Attribute types: `integers` is a list of integers, `dims` a list',
    'of dimensions.',
    '',
    '`grad`: `none` means no gradient flows through the op (every input gets zero; the executor',
    'applies it, runtime/kernels/bind.ts); `auto`, the kernel\'s gradient (two ops keep a partial',
    'rule: `where` gives its condition none, `cast` to int32 none). `FLOPs`: matrix products count',
    '2 per multiply-add per image; elementwise ops and data movement count 0.',
    '',
    '| op | inputs | attributes | grad | FLOPs | what it computes |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

// printResolvedSpec: a resolved model (and train block) as .moe text with every
// default written out. The text checks back to the same ResolvedModel.
import type { BlockLayer, ResolvedModel, ResolvedTrain } from './model.ts';
import { formatRouter } from './routers/index.ts';
import { formatData } from '../runtime/data/signatures.ts';

export { formatRouter };

/** Shortest text that reads back as the same number (integers stay integers). */
function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const s = String(x);
  return s.startsWith('0.') ? s : s;
}

/** A float-valued parameter written so it never reads as an integer expression. */
function float(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : num(x);
}

function formatLayer(layer: BlockLayer): string {
  if (layer.kind === 'dense') return 'dense';
  return `moe(${layer.routerName ?? formatRouter(layer.router)}, mlp: ${layer.mlp})`;
}

/** `0..2, 7, 9`: indices compressed into ranges. */
function indexList(indices: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    parts.push(j > i ? `${indices[i]}..${indices[j]}` : `${indices[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** One rule per distinct layer, listing its blocks, in order of first use. */
function blockRules(model: ResolvedModel): string[] {
  const groups = new Map<string, number[]>();
  model.blocks.forEach((b, i) => {
    const key = formatLayer(b);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return [...groups].map(([layer, blocks]) => `  blocks ${blocks.length === model.blocks.length ? 'all' : indexList(blocks)}: ${layer}`);
}

/** Named routers, declared once (a name stands for one configuration). */
function routerDeclarations(model: ResolvedModel): string[] {
  const seen = new Map<string, string>();
  for (const b of model.blocks) {
    if (b.kind === 'moe' && b.routerName && !seen.has(b.routerName)) seen.set(b.routerName, formatRouter(b.router));
  }
  return [...seen].map(([name, text]) => `router ${name} = ${text}`);
}

/** Each train field as .moe text, every default written out (undefined: once per epoch / by image size). */
export function trainFieldTexts(t: ResolvedTrain): Array<[string, string | number | undefined]> {
  const data = formatData(t.data);
  const o = t.optimizer;
  const optimizer =
    o.kind === 'adamw'
      ? `adamw(lr: ${float(o.lr)}, weight_decay: ${float(o.weightDecay)}, b1: ${float(o.b1)}, b2: ${float(o.b2)}, clip: ${float(o.clip)})`
      : `sgd(lr: ${float(o.lr)}, momentum: ${float(o.momentum)}, clip: ${float(o.clip)})`;
  const s = t.schedule;
  const schedule =
    s.kind === 'constant'
      ? 'constant'
      : s.kind === 'cosine'
        ? `cosine(warmup: ${s.warmup})`
        : s.kind === 'linear'
          ? `linear(warmup: ${s.warmup}, end: ${float(s.end)})`
          : `rsqrt(warmup: ${s.warmup}, cooldown: ${s.cooldown})`;
  return [
    ['model', t.model],
    ['data', data],
    ['batch', t.batch],
    t.steps !== undefined ? ['steps', t.steps] : ['epochs', t.epochs ?? 1],
    ['optimizer', optimizer],
    ['schedule', schedule],
    ['loss', t.loss],
    ['eval_every', t.evalEvery],
    ['checkpoint_every', t.checkpointEvery],
    ['augment', t.augment],
    ['seed', t.seed],
  ];
}

function formatTrain(t: ResolvedTrain): string {
  const fields = trainFieldTexts(t);
  const present = fields.filter((f): f is [string, string | number] => f[1] !== undefined);
  const width = Math.max(...present.map(([name]) => name.length)) + 2;
  const lines = [`train ${t.name} {`, ...present.map(([name, value]) => `  ${`${name}:`.padEnd(width)}${value}`), '}'];
  return lines.join('\n');
}

/** Each model field as .moe text, every default written out, in the order of language.md §3.3. */
export function modelFieldTexts(m: ResolvedModel): Array<[string, string]> {
  return [
    ['image', m.image.join('x')],
    ['patch', m.patch.join('x')],
    ['width', String(m.width)],
    ['depth', String(m.depth)],
    ['heads', String(m.heads)],
    ['mlp', String(m.mlp)],
    ['classes', String(m.classes)],
    ['pool', m.pool],
    ['dropout', float(m.dropout)],
    ['posemb', m.posemb],
  ];
}

export function printResolvedSpec(model: ResolvedModel, train?: ResolvedTrain): string {
  const m = model;
  const lines = [
    `# ${m.name}, fully resolved by moec${m.source ? ` from ${m.source.file}:${m.source.line}` : ''}.`,
    `# ${m.tokens} tokens per image; every default written out.`,
    ...routerDeclarations(m),
    `model ${m.name} {`,
    ...modelFieldTexts(m).map(([name, value]) => `  ${`${name}:`.padEnd(9)}${value}`),
    '',
    ...blockRules(m),
    '}',
  ];
  let text = lines.join('\n') + '\n';
  if (train) text += '\n' + formatTrain({ ...train, model: m.name }) + '\n';
  return text;
}

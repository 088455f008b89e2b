// Hover: on a field, its resolved value, where it came from and its meaning; on a
// `blocks` line, the blocks it selects with their parameters and FLOPs; on a model
// name, the model's resolved fields and cost; on a router or its parameters, their docs.
import type { AstNode, BlockRule, CallExpression, Field, Identifier, ModelDeclaration, TrainDeclaration } from '../../grammar/ast.ts';
import type { Span } from '../../diagnostics/diagnostic.ts';
import { formatRouter, modelFieldTexts } from '../../compiler/index.ts';
import { selectBlocks } from '../../compiler/check/derive.ts';
import { importTarget } from '../../compiler/resolve/files.ts';
import type { Analysis } from './analysis.ts';
import { nodesAt, innermost } from './locate.ts';
import { blockTable, gflops, int, modelFieldValue, placeLink, provenance, short, trainFieldValue } from './describe.ts';
import { MODEL_FIELDS, MOE_ARGS, TRAIN_FIELDS, familyDoc, isRouterFamily, paramMarkdown, routerParameter, routerParameters, trainFunction } from './vocabulary.ts';

export interface HoverResult {
  readonly markdown: string;
  readonly span: Span;
}

export function hoverAt(analysis: Analysis, offset: number): HoverResult | undefined {
  const chain = nodesAt(analysis.file, offset);
  const decl = chain[1];
  if (!decl) return undefined;
  const id = innermost(chain, 'Identifier');
  switch (decl.kind) {
    case 'ImportDeclaration': {
      const target = importTarget(analysis.path, decl.path.value);
      const read = analysis.program.sources.has(target);
      return { markdown: `imports \`${target}\`${read ? '' : ' (not readable)'}`, span: decl.path.span };
    }
    case 'RouterDeclaration':
      return routerPart(analysis, chain, id) ?? { markdown: `router \`${decl.name.name}\` = \`${text(analysis, decl.value.span)}\``, span: decl.name.span };
    case 'ModelDeclaration':
      return modelHover(analysis, decl, chain, id);
    case 'TrainDeclaration':
      return trainHover(analysis, decl, chain, id);
    default:
      return undefined;
  }
}

function text(analysis: Analysis, span: Span): string {
  return analysis.program.sources.get(span.file)?.slice(span.start.offset, span.end.offset) ?? '';
}

/** A router family name or one of its parameters under the cursor. */
function routerPart(analysis: Analysis, chain: readonly AstNode[], id: Identifier | undefined): HoverResult | undefined {
  const call = innermost(chain, 'CallExpression');
  if (!call || !id) return undefined;
  if (id === call.callee) {
    if (!isRouterFamily(id.name)) return undefined;
    const params = routerParameters(id.name).map(([n, spec]) => `- ${paramMarkdown(n, spec).replace('\n\n', ' — ')}`);
    return { markdown: [`**${id.name}** router — ${familyDoc(id.name)}`, '', ...params].join('\n'), span: id.span };
  }
  const arg = innermost(chain, 'Argument');
  if (arg?.name === id && isRouterFamily(call.callee.name)) {
    const spec = routerParameter(call.callee.name, id.name);
    if (!spec) return { markdown: `\`${id.name}\` is not a parameter of ${call.callee.name}`, span: id.span };
    return { markdown: paramMarkdown(id.name, spec), span: id.span };
  }
  return undefined;
}

function modelSummary(analysis: Analysis, name: string, span: Span): HoverResult {
  const model = analysis.model(name);
  const where = analysis.declaration(name);
  const lines = [`**model ${name}**${where ? ` (${placeLink(where.decl.name.span)})` : ''}`];
  if (!model) {
    lines.push('', where ? 'The model has errors; its resolved fields and cost appear once they are fixed.' : 'No model of this name is in scope.');
    return { markdown: lines.join('\n'), span };
  }
  const sources = analysis.program.fieldSources.get(name);
  lines.push('', '| field | value | from |', '| --- | --- | --- |');
  for (const [field, value] of modelFieldTexts(model)) lines.push(`| ${field} | \`${value}\` | ${provenance(analysis, name, sources?.get(field))[0]} |`);
  const cost = analysis.cost(name);
  if (cost) {
    const moe = model.blocks.filter((b) => b.kind === 'moe').length;
    lines.push('', `${model.tokens} tokens per image · ${moe} MoE block${moe === 1 ? '' : 's'} of ${model.depth}`);
    lines.push(`${int(cost.totalParams)} parameters (${short(cost.totalParams)}), ${int(cost.activeParams)} active per token · ${gflops(cost.flops)} GFLOPs per image`);
  }
  return { markdown: lines.join('\n'), span };
}

function modelFieldHover(analysis: Analysis, model: string, field: string, span: Span): HoverResult {
  const spec = MODEL_FIELDS[field];
  const resolved = analysis.model(model);
  const value = resolved ? modelFieldValue(resolved, field) : undefined;
  const lines = [`**${field}**${value !== undefined ? ` = \`${value}\`` : ''} in \`${model}\``];
  if (!spec) return { markdown: `\`${field}\` is not a model field`, span };
  lines.push('', ...provenance(analysis, model, analysis.program.fieldSources.get(model)?.get(field)).map((l) => `- ${l}`));
  lines.push('', paramMarkdown(field, spec));
  if (!resolved) lines.push('', '_The model has errors; the resolved value appears once they are fixed._');
  return { markdown: lines.join('\n'), span };
}

function modelHover(analysis: Analysis, decl: ModelDeclaration, chain: readonly AstNode[], id: Identifier | undefined): HoverResult | undefined {
  if (id && id === decl.name) return modelSummary(analysis, decl.name.name, id.span);
  if (id && id === decl.base) return modelSummary(analysis, decl.base.name, id.span);
  const rule = innermost(chain, 'BlockRule');
  if (rule) {
    const part = routerPart(analysis, chain, id);
    if (part) return part;
    const arg = innermost(chain, 'Argument');
    if (arg && id && arg.name === id && MOE_ARGS[id.name]) return { markdown: paramMarkdown(id.name, MOE_ARGS[id.name]), span: id.span };
    return blockRuleHover(analysis, decl, rule);
  }
  const field = innermost(chain, 'Field');
  if (!field) return undefined;
  // A field named in an expression (`mlp: 2 * width`): describe the field it refers to.
  if (id && id !== field.name && MODEL_FIELDS[id.name]) return modelFieldHover(analysis, decl.name.name, id.name, id.span);
  return modelFieldHover(analysis, decl.name.name, field.name.name, field.span);
}

/** The blocks a rule selects, which of them a later rule of the same model takes over, and their cost. */
function blockRuleHover(analysis: Analysis, decl: ModelDeclaration, rule: BlockRule): HoverResult {
  const span = rule.span;
  const header = `**blocks ${text(analysis, rule.selector.span)}** in \`${decl.name.name}\``;
  const model = analysis.model(decl.name.name);
  if (!model) return { markdown: `${header}\n\n_The model has errors; the blocks and their cost appear once they are fixed._`, span };
  const selected = selectBlocks(rule.selector, model.depth).blocks;
  const later = decl.members.slice(decl.members.indexOf(rule) + 1).filter((m): m is BlockRule => m.kind === 'BlockRule');
  const takenBy = new Map<number, BlockRule>();
  for (const r of later) for (const b of selectBlocks(r.selector, model.depth).blocks) if (selected.includes(b)) takenBy.set(b, r);
  const own = selected.filter((b) => !takenBy.has(b));
  const lines = [`${header}: ${selected.length} of ${model.depth} blocks (${selected.join(', ') || 'none'})`];
  const first = own.length > 0 ? model.blocks[own[0]] : undefined;
  if (first?.kind === 'moe') lines.push('', `router: \`${first.routerName ? `${first.routerName} = ` : ''}${formatRouter(first.router)}\` · expert mlp ${first.mlp}`);
  const cost = analysis.cost(decl.name.name);
  if (cost && own.length > 0) {
    const blocks = own.map((b) => cost.blocks[b]);
    lines.push('', blockTable(blocks));
    const sum = (f: (b: (typeof blocks)[number]) => number) => blocks.reduce((a, b) => a + f(b), 0);
    if (blocks.length > 1) lines.push('', `these ${blocks.length} blocks: ${int(sum((b) => b.params))} params, ${int(sum((b) => b.activeParams))} active, ${gflops(sum((b) => b.flops))} GFLOPs`);
  }
  for (const [b, r] of takenBy) lines.push('', `block ${b} is set by the later rule \`blocks ${text(analysis, r.selector.span)}\` (line ${r.span.start.line})`);
  return { markdown: lines.join('\n'), span };
}

function trainHover(analysis: Analysis, decl: TrainDeclaration, chain: readonly AstNode[], id: Identifier | undefined): HoverResult | undefined {
  const field = innermost(chain, 'Field');
  if (!field) return undefined;
  const call: CallExpression | undefined = innermost(chain, 'CallExpression');
  const arg = innermost(chain, 'Argument');
  if (call && id) {
    const fn = trainFunction(call.callee.name);
    if (fn && id === call.callee) {
      const params = Object.entries(fn.signature).map(([n, s]) => `- ${paramMarkdown(n, s).replace('\n\n', ' — ')}`);
      return { markdown: [`**${id.name}(…)**: a value of \`${fn.field}\``, '', ...(params.length ? params : ['no arguments'])].join('\n'), span: id.span };
    }
    if (fn && arg?.name === id) {
      const spec = fn.signature[id.name];
      return { markdown: spec ? paramMarkdown(id.name, spec) : `\`${id.name}\` is not an argument of ${call.callee.name}`, span: id.span };
    }
  }
  if (field.name.name === 'model' && id && id !== field.name) return modelSummary(analysis, id.name, id.span);
  return trainFieldHover(analysis, decl, field);
}

function trainFieldHover(analysis: Analysis, decl: TrainDeclaration, field: Field): HoverResult {
  const name = field.name.name;
  const spec = TRAIN_FIELDS[name];
  if (!spec) return { markdown: `\`${name}\` is not a train field`, span: field.span };
  const train = analysis.train(decl.name.name);
  const value = train ? trainFieldValue(train, name) : undefined;
  const lines = [`**${name}**${value !== undefined ? ` = \`${value}\`` : ''} in train \`${decl.name.name}\``, '', paramMarkdown(name, spec)];
  return { markdown: lines.join('\n'), span: field.span };
}

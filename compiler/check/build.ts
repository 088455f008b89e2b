// Builds ResolvedModel / ResolvedTrain (compiler/model.ts) from contexts that
// checked without errors: every default filled in, every router resolved.
import type { BlockLayer, OptimizerSpec, ResolvedModel, ResolvedTrain, RouterConfig, ScheduleSpec } from '../model.ts';
import type { ModelContext, TrainContext } from '../resolve/model-context.ts';
import { readArguments, readValue } from './read.ts';
import type { TypedCall, Typed } from './read.ts';
import { MOE_ARGS, TRAIN_FIELDS } from './schema.ts';
import { withDefaults } from './defaults.ts';
import { dataSpecOf } from '../../runtime/data/signatures.ts';

export { DEFAULT_DATA_SIZES } from './schema.ts';
import { selectBlocks } from './derive.ts';
import { checkContext } from './context.ts';
import type { CheckedRouter } from '../routers/index.ts';

/** The checked config of a router whose checks passed (its family's `resolve`). */
function routerConfig(router: CheckedRouter): RouterConfig {
  if (!router.definition || !router.settings || !router.capacity) throw new Error('internal: building a router that did not check');
  return router.definition.resolve(router.settings, router.capacity);
}

export function buildModel(model: ModelContext): ResolvedModel {
  const ctx = checkContext(model);
  const m = ctx.typed;
  const tokens = ctx.tokens!;
  const routers = new Map(ctx.routers.map((r) => [r.rule, r]));
  const depth = m.depth!;
  const blocks: BlockLayer[] = Array.from({ length: depth }, () => ({ kind: 'dense' }));
  for (const r of ctx.rules) {
    let layer: BlockLayer = { kind: 'dense' };
    if (r.layer.kind === 'moe') {
      const mlp = (readArguments('moe', MOE_ARGS, r.layer.args, r.layer.span).values.get('mlp') as number | undefined) ?? m.mlp!;
      const router = routers.get(r)!;
      layer = {
        kind: 'moe',
        mlp,
        router: routerConfig(router),
        ...(router.use.declaredName ? { routerName: router.use.declaredName } : {}),
      };
    }
    for (const b of selectBlocks(r.rule.selector, depth).blocks) blocks[b] = layer;
  }
  const [h, w, c] = m.image!;
  const [ph, pw] = m.patch!;
  return {
    name: ctx.name,
    image: [h, w, c],
    patch: [ph, pw],
    width: m.width!,
    depth,
    heads: m.heads!,
    mlp: m.mlp!,
    classes: m.classes!,
    pool: m.pool,
    dropout: m.dropout,
    posemb: m.posemb,
    tokens,
    blocks,
    source: { file: ctx.file, line: ctx.decl.span.start.line },
  };
}

/** What building a train block reads of its context. */
type TrainFields = Pick<TrainContext, 'name' | 'fields'>;

function optimizerSpec(call: TypedCall): OptimizerSpec {
  const n = (name: string) => call.args.get(name) as number;
  if (call.fn === 'sgd') return { kind: 'sgd', lr: n('lr'), momentum: n('momentum'), clip: n('clip') };
  return { kind: 'adamw', lr: n('lr'), weightDecay: n('weight_decay'), b1: n('b1'), b2: n('b2'), clip: n('clip') };
}

function scheduleSpec(call: TypedCall): ScheduleSpec {
  const n = (name: string) => call.args.get(name) as number;
  switch (call.fn) {
    case 'constant':
      return { kind: 'constant' };
    case 'linear':
      return { kind: 'linear', warmup: n('warmup'), end: n('end') };
    case 'rsqrt':
      return { kind: 'rsqrt', warmup: n('warmup'), cooldown: n('cooldown') };
    default:
      return { kind: 'cosine', warmup: n('warmup') };
  }
}

/** `defaultModel` is the train file's only model (the train-model rule guarantees it exists when needed). */
export function buildTrain(ctx: TrainFields, defaultModel: string | undefined): ResolvedTrain {
  const given = new Map<string, Typed>();
  for (const [name, f] of ctx.fields) {
    const spec = TRAIN_FIELDS[name];
    const value = spec ? readValue(spec.type, f.value, name).value : undefined;
    if (value !== undefined) given.set(name, value);
  }
  const v = withDefaults(TRAIN_FIELDS, given);
  const optional = (name: string, key: string) => (v.has(name) ? { [key]: v.get(name) as number } : {});
  return {
    name: ctx.name,
    model: (v.get('model') as string | undefined) ?? defaultModel!,
    data: dataSpecOf((v.get('data') as TypedCall).fn, (v.get('data') as TypedCall).args),
    batch: v.get('batch') as number,
    ...(v.has('steps') ? { steps: v.get('steps') as number } : { epochs: v.get('epochs') as number }),
    optimizer: optimizerSpec(v.get('optimizer') as TypedCall),
    schedule: scheduleSpec(v.get('schedule') as TypedCall),
    loss: v.get('loss') as ResolvedTrain['loss'],
    ...optional('eval_every', 'evalEvery'),
    ...optional('checkpoint_every', 'checkpointEvery'),
    ...optional('augment', 'augment'),
    seed: v.get('seed') as number,
  };
}

/** Every train field at its language.md §3.5 default, for a file without a train block (eval, predict, bench). */
export function defaultTrain(model: string): ResolvedTrain {
  return buildTrain({ name: 'default', fields: new Map() }, model);
}

// Builds ResolvedModel / ResolvedTrain (compiler/model.ts) from contexts that
// checked without errors: every default filled in, every router resolved.
import type { BlockLayer, DataSpec, OptimizerSpec, ResolvedModel, ResolvedTrain, RouterConfig, ScheduleSpec } from '../model.ts';
import type { ModelContext, TrainContext } from '../resolve/model-context.ts';
import { readArguments, readValue } from './read.ts';
import type { TypedCall, Typed } from './read.ts';
import { MOE_ARGS, TRAIN_FIELDS } from './schema.ts';
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

function field(ctx: TrainFields, name: string): Typed | undefined {
  const f = ctx.fields.get(name);
  return f ? readValue(TRAIN_FIELDS[name].type, f.value, name).value : undefined;
}

const num = (call: TypedCall | undefined, name: string, fallback: number): number => (call?.args.get(name) as number | undefined) ?? fallback;
const str = (call: TypedCall, name: string): string => call.args.get(name) as string;

export const DEFAULT_DATA_SIZES = { train: 8000, test: 2000 } as const;

function dataSpec(call: TypedCall | undefined): DataSpec {
  const fn = call?.fn ?? 'mnist';
  switch (fn) {
    case 'idx':
    case 'cifar10':
      return { kind: fn, dir: str(call!, 'dir') };
    case 'folder':
      return { kind: 'folder', train: str(call!, 'train'), test: str(call!, 'test') };
    default:
      return {
        kind: fn as 'mnist' | 'fashion_mnist',
        train: num(call, 'train', DEFAULT_DATA_SIZES.train),
        test: num(call, 'test', DEFAULT_DATA_SIZES.test),
      };
  }
}

function optimizerSpec(call: TypedCall | undefined): OptimizerSpec {
  if (call?.fn === 'sgd') return { kind: 'sgd', lr: num(call, 'lr', 1e-3), momentum: num(call, 'momentum', 0.9), clip: num(call, 'clip', 1.0) };
  return {
    kind: 'adamw',
    lr: num(call, 'lr', 1e-3),
    weightDecay: num(call, 'weight_decay', 1e-4),
    b1: num(call, 'b1', 0.9),
    b2: num(call, 'b2', 0.999),
    clip: num(call, 'clip', 1.0),
  };
}

function scheduleSpec(call: TypedCall | undefined): ScheduleSpec {
  switch (call?.fn ?? 'cosine') {
    case 'constant':
      return { kind: 'constant' };
    case 'linear':
      return { kind: 'linear', warmup: num(call, 'warmup', 0), end: num(call, 'end', 0) };
    case 'rsqrt':
      return { kind: 'rsqrt', warmup: num(call, 'warmup', 0), cooldown: num(call, 'cooldown', 0) };
    default:
      return { kind: 'cosine', warmup: num(call, 'warmup', 0) };
  }
}

/** `defaultModel` is the train file's only model (the train-model rule guarantees it exists when needed). */
/** What building a train block reads of its context. */
type TrainFields = Pick<TrainContext, 'name' | 'fields'>;

export function buildTrain(ctx: TrainFields, defaultModel: string | undefined): ResolvedTrain {
  const steps = field(ctx, 'steps') as number | undefined;
  const epochs = field(ctx, 'epochs') as number | undefined;
  const evalEvery = field(ctx, 'eval_every') as number | undefined;
  const checkpointEvery = field(ctx, 'checkpoint_every') as number | undefined;
  const augment = field(ctx, 'augment') as number | undefined;
  return {
    name: ctx.name,
    model: (field(ctx, 'model') as string | undefined) ?? defaultModel!,
    data: dataSpec(field(ctx, 'data') as TypedCall | undefined),
    batch: (field(ctx, 'batch') as number | undefined) ?? 64,
    ...(steps !== undefined ? { steps } : { epochs: epochs ?? 1 }),
    optimizer: optimizerSpec(field(ctx, 'optimizer') as TypedCall | undefined),
    schedule: scheduleSpec(field(ctx, 'schedule') as TypedCall | undefined),
    loss: (field(ctx, 'loss') as ResolvedTrain['loss'] | undefined) ?? 'softmax_xent',
    ...(evalEvery !== undefined ? { evalEvery } : {}),
    ...(checkpointEvery !== undefined ? { checkpointEvery } : {}),
    ...(augment !== undefined ? { augment } : {}),
    seed: (field(ctx, 'seed') as number | undefined) ?? 0,
  };
}

/** Every train field at its language.md §3.5 default, for a file without a train block (eval, predict, bench). */
export function defaultTrain(model: string): ResolvedTrain {
  return buildTrain({ name: 'default', fields: new Map() }, model);
}

// A ResolvedModel as vmoe's `VisionTransformerMoe` config (vmoe/nn/vit_moe.py):
// first what vmoe cannot express (located problems), then the Python config
// module — literal ConfigDicts, every resolved parameter written out, integers
// as integers, routers outside vmoe.nn.routing fully qualified, and a comment
// for each semantic difference that remains.
import type { MoeBlockLayer, ResolvedModel, RouterConfig } from '../../compiler/model.ts';

/** The router families vmoe has a router for; any other family is reported (MOE0642) before a config is written. */
const VMOE_FAMILIES = ['token_choice', 'expert_choice', 'soft'] as const;
type VmoeRouterConfig = Extract<RouterConfig, { family: (typeof VMOE_FAMILIES)[number] }>;

function isVmoeRouter(r: RouterConfig): r is VmoeRouterConfig {
  return (VMOE_FAMILIES as readonly string[]).includes(r.family);
}

/** A router vmoeProblems accepted (throws for a family it would have reported). */
function vmoeConfigOf(r: RouterConfig): VmoeRouterConfig {
  if (!isVmoeRouter(r)) throw new Error(`internal: router family ${r.family} reached the vmoe config writer`);
  return r;
}

/** A reason vmoe cannot express the model, located by block and field. */
export interface VmoeProblem {
  readonly code: 'MOE0640' | 'MOE0641' | 'MOE0642';
  readonly block?: number;
  readonly field: string;
  readonly message: string;
}

/** vmoe class of each moec router (names outside `vmoe.nn.routing` fully qualified: routers.md §4, ecosystem.md §0 item 10). */
export function vmoeRouterName(router: RouterConfig): string {
  const r = vmoeConfigOf(router);
  const ot = 'vmoe.projects.sparsity_constrained_ot';
  switch (r.family) {
    case 'token_choice':
      return r.normalize === 'softmax' ? 'NoisyTopExpertsPerItemRouter' : `${ot}.kl_projection_routing.KLProjectionNoisyTopExpertsPerItemRouter`;
    case 'expert_choice':
      return r.normalize === 'softmax'
        ? 'NoisyTopItemsPerExpertRouter'
        : r.normalize === 'sinkhorn'
          ? `${ot}.kl_projection_routing.KLProjectionNoisyTopItemsPerExpertRouter`
          : `${ot}.ksparse_projection_routing.KSparseProjectionTransportTopItemsPerExpertRouter`;
    case 'soft':
      return 'vmoe.projects.soft_moe.router.SoftRouter';
  }
}

/** Python values: integers stay integers, floats always carry a point (vmoe's config types reject floats for int fields). */
export type PyValue = { readonly int: number } | number | string | boolean | null | readonly PyValue[] | { readonly [k: string]: PyValue };

export const int = (n: number): PyValue => {
  if (!Number.isSafeInteger(n)) throw new Error(`internal: ${n} is not an integer`);
  return { int: n };
};

function isInt(v: PyValue): v is { int: number } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'int' in v && Object.keys(v).length === 1;
}

export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`internal: ${x} cannot be written as a Python float`);
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

export function pyLiteral(v: PyValue, indent = ''): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyFloat(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (isInt(v)) return String(v.int);
  if (Array.isArray(v)) return v.length === 1 ? `(${pyLiteral(v[0]!, indent)},)` : `(${v.map((x) => pyLiteral(x, indent)).join(', ')})`;
  const inner = indent + '    ';
  const entries = Object.entries(v as Record<string, PyValue>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}'${k}': ${pyLiteral(x, inner)},`).join('\n')}\n${indent}}`;
}

/** The `router` dict of vmoe's MoE config for one moec router (every parameter moec resolved). */
export function vmoeRouter(router: RouterConfig): Record<string, PyValue> {
  const r = vmoeConfigOf(router);
  const name = vmoeRouterName(r);
  if (r.family === 'soft') {
    // num_slots explicit: vmoe would round slots from the capacity factor its own way (always `round`).
    return { name, num_slots: int(r.slots), capacity_factor: null, noise_std: r.noise, compute_similarity_metrics: true };
  }
  const dispatcher: Record<string, PyValue> = {
    name: 'einsum',
    bfloat16: false,
    capacity_factor: r.capacityFactor,
    capacity_ceil_or_round: r.rounding,
    capacity_multiple_of: int(r.multipleOf),
  };
  if (r.family === 'token_choice') {
    const out: Record<string, PyValue> = {
      name,
      num_selected_experts: int(r.k),
      noise_std: r.noise,
      gshard_loss_weight: 0,
      importance_loss_weight: r.importanceLoss,
      load_loss_weight: r.loadLoss,
    };
    if (r.normalize === 'sinkhorn') Object.assign(out, { maxiter: int(r.iterations), use_softmax_combine_weights: r.combine === 'softmax' });
    return { ...out, dispatcher: { ...dispatcher, batch_priority: r.bpr } };
  }
  const out: Record<string, PyValue> = { name, noise_std: r.noise };
  if (r.normalize !== 'softmax') Object.assign(out, { maxiter: int(r.iterations), use_softmax_combine_weights: r.combine === 'softmax' });
  if (r.normalize === 'sparsity') out.adam_lr = 1e-2;
  return { ...out, dispatcher };
}

/** Router settings as comparable fields (for MOE0640). */
function routerFields(layer: MoeBlockLayer): Record<string, string | number | boolean> {
  return { mlp: layer.mlp, ...(layer.router as unknown as Record<string, string | number | boolean>) };
}

/** Everything vmoe cannot express, each located by block and field. */
export function vmoeProblems(m: ResolvedModel): VmoeProblem[] {
  const problems: VmoeProblem[] = [];
  const moe = m.blocks.map((b, i) => ({ b, i })).filter((x): x is { b: MoeBlockLayer; i: number } => x.b.kind === 'moe');
  const first = moe[0];
  if (first) {
    const reference = routerFields(first.b);
    for (const { b, i } of moe.slice(1)) {
      const fields = routerFields(b);
      for (const key of new Set([...Object.keys(reference), ...Object.keys(fields)])) {
        if (fields[key] === reference[key]) continue;
        problems.push({
          code: 'MOE0640',
          block: i,
          field: key === 'mlp' ? 'moe.mlp' : `router.${key}`,
          message: `block ${i}: ${key === 'mlp' ? 'expert mlp' : `router ${key}`} is ${String(fields[key])}, but block ${first.i} has ${String(reference[key])}; vmoe's encoder takes one MoE config for all MoE blocks`,
        });
      }
    }
    for (const { b, i } of moe) {
      if (!isVmoeRouter(b.router)) {
        problems.push({ code: 'MOE0642', block: i, field: 'router', message: `block ${i}: vmoe has no router for ${b.router.family}` });
        continue;
      }
      const r = b.router;
      if (r.family !== 'soft' && r.normalize === 'sinkhorn' && r.iterations % 10 !== 0) {
        problems.push({
          code: 'MOE0641',
          block: i,
          field: 'router.iterations',
          message: `block ${i}: ${r.iterations} Sinkhorn iterations; vmoe (ott-jax 0.2.11) runs them in blocks of 10 and would run ${10 * Math.floor(r.iterations / 10)}`,
        });
      }
    }
  }
  if (m.posemb === 'sincos2d' && m.width < 8)
    problems.push({ code: 'MOE0642', field: 'width', message: `vmoe's sincos2d position embedding needs a width of at least 8, got ${m.width}` });
  return problems;
}

export interface ConfigOptions {
  /** The .npz file, relative to the config file; undefined = config only. */
  readonly params?: string;
  /** The spec file (for the header). */
  readonly source?: string;
  readonly moecVersion: string;
}

/** The semantic differences that remain, as comment lines for the config. */
export function vmoeDifferences(m: ResolvedModel): string[] {
  const notes: string[] = [];
  const layer = m.blocks.find((b): b is MoeBlockLayer => b.kind === 'moe');
  if (layer && isVmoeRouter(layer.router)) {
    const r = layer.router;
    notes.push(
      r.family === 'soft'
        ? "vmoe's SoftRouter always dispatches and combines in bfloat16 (moec: float32); expect small numeric differences, not different routing."
        : 'bfloat16 dispatch is off (dispatcher.bfloat16 = False), as moec dispatches in float32. The shipped vmoe configs turn it on for speed; with it on, a near-tied routing decision can flip.',
    );
    if (r.family === 'expert_choice' && r.normalize === 'sparsity')
      notes.push('The sparsity-constrained plan: same algorithm and stopping rule as moec, but vmoe solves in float32 (moec in float64), so near-tied tokens can be selected differently.');
    if (r.family !== 'soft' && r.normalize === 'sinkhorn')
      notes.push(`Sinkhorn: vmoe (ott-jax 0.2.11, kernel mode) runs ${r.iterations} iterations like moec (log domain): same iterates, float32 rounding differs.`);
    if (r.family === 'token_choice' && r.normalize === 'sinkhorn' && r.noise > 0)
      notes.push("With noise in training, vmoe's Sinkhorn token choice combines with the softmax of the clean logits (moec: of the noisy ones); evaluation is unaffected.");
    if (r.family !== 'soft') notes.push(`Capacity: the dispatcher's capacity_factor resolves to ${r.capacity} slots per expert at group_size ${r.group} (as moec resolved it).`);
  }
  if (m.dropout > 0)
    notes.push(
      `Dropout ${m.dropout}: in MoE blocks vmoe drops inside each expert (its hidden layer and output, per slot), moec drops the combined MoE output; dense blocks, attention output and embeddings match. moec has no attention-probability dropout (attention_dropout_rate = 0.0).`,
    );
  if (layer && isVmoeRouter(layer.router) && layer.router.noise > 0)
    notes.push(`Training noise: noise_std ${pyFloat(layer.router.noise)}${layer.router.family === 'soft' ? ' (Soft MoE: not divided by num_experts, as in moec)' : ' / num_experts, as moec'}; vmoe draws it from the 'gating' rng, so the draws differ.`);
  return notes;
}

function comment(lines: readonly string[], indent: string): string {
  return lines.map((l) => wrap(l, 86 - indent.length).map((w, i) => `${indent}# ${i > 0 ? '  ' : ''}${w}`).join('\n')).join('\n');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) out.push(line), (line = word);
    else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** The `config.model` dict. */
export function vmoeModelConfig(m: ResolvedModel): Record<string, PyValue> {
  const moeLayers = m.blocks.flatMap((b, i) => (b.kind === 'moe' ? [int(i)] : []));
  const layer = m.blocks.find((b): b is MoeBlockLayer => b.kind === 'moe');
  const encoder: Record<string, PyValue> = {
    num_layers: int(m.depth),
    mlp_dim: int(m.mlp),
    num_heads: int(m.heads),
    dropout_rate: m.dropout,
    attention_dropout_rate: 0,
    position_emb: { name: m.posemb === 'sincos2d' ? 'sincos2d' : 'learned' },
  };
  encoder.moe = layer
    ? {
        layers: moeLayers,
        num_experts: int(layer.router.experts),
        group_size: int(layer.router.group),
        ...(layer.mlp !== m.mlp ? { mlp_dim: int(layer.mlp) } : {}),
        dropout_rate: m.dropout,
        split_rngs: false,
        router: vmoeRouter(layer.router),
      }
    : { layers: [] };
  return {
    name: 'VisionTransformerMoe',
    num_classes: int(m.classes),
    patch_size: [int(m.patch[0]), int(m.patch[1])],
    hidden_size: int(m.width),
    classifier: m.pool === 'cls' ? 'token' : 'gap',
    representation_size: null,
    head_bias_init: -Math.log(m.classes),
    head_kernel_zero_init: true,
    encoder,
  };
}

/** The Python module: `get_config()` → ConfigDict with `.model` (and `.initialization` when params are exported). */
export function vmoeConfigPython(m: ResolvedModel, options: ConfigOptions): string {
  const model = vmoeModelConfig(m);
  const layer = m.blocks.find((b): b is MoeBlockLayer => b.kind === 'moe');
  const lines: string[] = [];
  lines.push(`"""vmoe config of moec model '${m.name}'${options.source ? ` (${options.source})` : ''}.`);
  lines.push('');
  lines.push(`Written by moec ${options.moecVersion} (moec export --to vmoe). get_config().model is the`);
  lines.push("VisionTransformerMoe config; add the training fields (dataset, loss, optimizer,");
  lines.push('train_steps, ...) as docs/vmoe.md "Scaling out with vmoe" describes.');
  lines.push('"""');
  if (options.params) lines.push('import os', '');
  lines.push('import ml_collections', '');
  if (options.params) lines.push('# The parameters live next to this file, wherever the job runs from.', `PARAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), ${pyLiteral(options.params)})`, '');
  lines.push('# Differences from moec that remain:');
  lines.push(comment(vmoeDifferences(m), ''));
  lines.push('');
  lines.push('');
  lines.push('def get_config():');
  lines.push('  config = ml_collections.ConfigDict()');
  lines.push(`  config.model = ml_collections.ConfigDict(${pyLiteral(model, '  ')})`);
  if (layer) {
    lines.push('  # One expert per device along the mesh axis "expert" (num_experts must be divisible by it).');
    lines.push(`  config.num_expert_partitions = ${layer.router.experts}`);
    lines.push("  config.params_axis_resources = [('Moe/Mlp/.*', ('expert',))]");
  }
  lines.push("  config.extra_rng_keys = ('dropout', 'gating')");
  if (options.params) {
    lines.push('  # Every parameter from the exported .npz (names as vit_jax checkpoints, no transformation).');
    lines.push('  config.initialization = ml_collections.ConfigDict({');
    lines.push("      'name': 'initialize_from_vit',");
    lines.push("      'filepath': PARAMS,");
    lines.push("      'rules': [('^(.*)$', r'params/\\1')],");
    lines.push('      # The optimizer state is not in the file.');
    lines.push("      'raise_if_target_unmatched': False,");
    if (layer) lines.push("      'axis_resources_regexes': [('Moe/Mlp/.*', ('expert',))],");
    lines.push('  })');
  }
  lines.push('  return config');
  return lines.join('\n') + '\n';
}

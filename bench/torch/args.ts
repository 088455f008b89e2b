// Command-line options of `npm run bench:torch [-- options]` (run.ts).
export interface TorchBenchOptions {
  /** Case names (cases.ts), in the order given. */
  readonly cases: readonly string[];
  /** Interleaved rounds; each figure is the median over rounds. */
  readonly rounds: number;
  /** Training steps per engine per round (their mean is the round's figure). */
  readonly steps: number;
  /** Inference calls per engine per round. */
  readonly inferReps: number;
  /** Thread counts compared (moec and torch at each); `all` = the machine's cores. */
  readonly threads: readonly number[];
  /** True when --threads was given (then moec must run at every count asked for, or the bench fails). */
  readonly threadsExplicit: boolean;
  /** Training steps whose losses must agree (from the same initial weights). */
  readonly checkSteps: number;
  /** Print moec's top kernels of one training step (tf.profile) and PyTorch's top ops (torch.profiler). */
  readonly profile: boolean;
  /** Where the JSON result goes. */
  readonly json: string;
  /** The virtual environment (created with python3 -m venv and pip when missing). */
  readonly venv: string;
  /** The Python that creates the venv. */
  readonly python: string;
  /** moec's tfjs backend. */
  readonly backend: string;
  readonly help: boolean;
}

export const DEFAULTS = { rounds: 5, steps: 2, inferReps: 3, checkSteps: 3, json: 'bench/torch/results/latest.json', venv: 'bench/torch/.venv', python: 'python3', backend: 'wasm' } as const;

export const USAGE = `npm run bench:torch [-- options]

Builds each case's model in PyTorch from moec's op graph, checks that both start
from the same weights (parameter counts, inference logits, the first training
losses), then times training steps and inference side by side in interleaved
rounds: moec (tfjs) and PyTorch CPU at 1 thread and at all cores.

  --cases a,b      cases to run (default: mnist_soft, mnist_dense, cifar_soft16);
                   'routers' = router_<kind> for every other router kind: the README
                   example with that router, to check the interpreter (e.g.
                   router_softmax_token_choice, router_sinkhorn_expert_choice)
  --rounds N       interleaved rounds, medians reported (default ${DEFAULTS.rounds})
  --steps N        training steps per engine per round (default ${DEFAULTS.steps})
  --infer-reps N   inference calls per engine per round (default ${DEFAULTS.inferReps})
  --threads L      thread counts, e.g. 1,2 or 1,all (default 1,all)
  --check-steps N  first training losses that must agree (default ${DEFAULTS.checkSteps})
  --profile        print moec's top kernels and PyTorch's top ops of one step
  --quick          a smoke run: 2 rounds, 1 step, 1 inference, the MNIST cases
  --json FILE      result file (default ${DEFAULTS.json})
  --venv DIR       Python virtual environment (default ${DEFAULTS.venv}; created when missing)
  --python EXE     Python that creates the venv (default ${DEFAULTS.python})
  --backend NAME   moec's backend (default ${DEFAULTS.backend})
`;

export class UsageError extends Error {}

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 1) throw new UsageError(`${flag} expects a positive whole number, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  return n;
}

/** `1,all` → [1, cores], sorted, without repeats. */
export function parseThreads(text: string, cores: number): number[] {
  const counts = text.split(',').map((part) => {
    const p = part.trim();
    if (p === 'all') return cores;
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads expects thread counts or 'all', e.g. 1,all; got ${JSON.stringify(part)}`);
    return n;
  });
  return [...new Set(counts)].sort((a, b) => a - b);
}

export interface KnownCases {
  /** Every case name. */
  readonly cases: readonly string[];
  /** Those run without --cases. */
  readonly defaults: readonly string[];
  /** What `--cases routers` stands for. */
  readonly routers: readonly string[];
  readonly cores: number;
}

export function parseTorchBenchArgs(argv: readonly string[], known: KnownCases): TorchBenchOptions {
  const values = new Map<string, string | undefined>();
  const flags = new Set<string>();
  const takesValue = new Set(['--cases', '--rounds', '--steps', '--infer-reps', '--threads', '--check-steps', '--json', '--venv', '--python', '--backend']);
  const switches = new Set(['--profile', '--quick', '--help', '-h']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (takesValue.has(name)) {
      values.set(name, eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i]);
    } else if (switches.has(arg)) {
      flags.add(arg);
    } else {
      throw new UsageError(`unknown option ${JSON.stringify(arg)} (see --help)`);
    }
  }
  const quick = flags.has('--quick');
  const get = (flag: string) => values.get(flag);
  const int = (flag: string, fallback: number) => (values.has(flag) ? positiveInt(flag, get(flag)) : fallback);
  const cases = values.has('--cases')
    ? (get('--cases') ?? '')
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean)
        .flatMap((c) => (c === 'routers' ? known.routers : [c]))
    : quick
      ? known.defaults.filter((c) => c.startsWith('mnist'))
      : [...known.defaults];
  if (cases.length === 0) throw new UsageError('--cases expects case names, e.g. --cases mnist_soft,cifar_soft16');
  for (const c of cases) if (!known.cases.includes(c)) throw new UsageError(`unknown case ${JSON.stringify(c)} (one of ${known.cases.join(', ')})`);
  const threadsText = get('--threads');
  if (values.has('--threads') && !threadsText) throw new UsageError('--threads expects thread counts, e.g. 1,all');
  for (const flag of ['--json', '--venv', '--python', '--backend']) if (values.has(flag) && !get(flag)) throw new UsageError(`${flag} expects a value`);
  return {
    cases: [...new Set(cases)],
    rounds: int('--rounds', quick ? 2 : DEFAULTS.rounds),
    steps: int('--steps', quick ? 1 : DEFAULTS.steps),
    inferReps: int('--infer-reps', quick ? 1 : DEFAULTS.inferReps),
    threads: parseThreads(threadsText ?? '1,all', known.cores),
    threadsExplicit: values.has('--threads'),
    checkSteps: int('--check-steps', DEFAULTS.checkSteps),
    profile: flags.has('--profile'),
    json: get('--json') ?? DEFAULTS.json,
    venv: get('--venv') ?? DEFAULTS.venv,
    python: get('--python') ?? DEFAULTS.python,
    backend: get('--backend') ?? DEFAULTS.backend,
    help: flags.has('--help') || flags.has('-h'),
  };
}

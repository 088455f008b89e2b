// The commands of `moec`. To add one, write cli/commands/<name>.ts exporting an object that
// satisfies CommandModule and add an entry to COMMANDS below: its name, the term and summary
// `moec --help` lists, and how to load it. Only the invoked command's module is imported, so
// `moec check` never loads TensorFlow.js (tests/cli/commands-table.test.ts keeps the listed
// term and summary equal to what the module registers).
//
//   export const myCommand: CommandModule = {
//     register(program, ctx, setExit) {
//       program.command('name <file...>').description('…').option('--flag', '…')
//         .action(async (files: string[], opts) => { …; setExit(EXIT_ERROR); });
//     },
//   };
//
// Rules: write only through ctx.stdout / ctx.stderr (never console or process.*), print
// diagnostics with ctx.printDiagnostics, report failures with setExit (the highest code
// set wins; 0 when never called), throw UserError for a user-facing failure that is not a
// diagnostic (it prints `error: …` and exits 1). Any other exception is an internal fault (exit 2).
import type { Command } from 'commander';
import type { CommandModule } from '../context.ts';

export type { CommandModule } from '../context.ts';

export interface CommandEntry {
  readonly name: string;
  /** What `moec --help` lists: the name, `[options]` and the arguments. */
  readonly term: string;
  readonly summary: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'check', term: 'check [options] <files...>', summary: 'check .moe files and report every error and warning', load: async () => (await import('./check.ts')).checkCommand },
  { name: 'fmt', term: 'fmt [options] <files...>', summary: 'format .moe files in the canonical layout (prints to stdout by default)', load: async () => (await import('./fmt.ts')).fmtCommand },
  { name: 'compile', term: 'compile [options] <file>', summary: 'check a .moe file, lower a model to the op graph and print its cost (params, FLOPs)', load: async () => (await import('./compile.ts')).compileCommand },
  { name: 'train', term: 'train [options] <file>', summary: 'train the model of a .moe file with its train block', load: async () => (await import('./train.ts')).trainCommand },
  { name: 'eval', term: 'eval [options] <target>', summary: 'evaluate a checkpoint on the test split: loss and accuracy', load: async () => (await import('./eval.ts')).evalCommand },
  { name: 'predict', term: 'predict [options] <target> <images...>', summary: 'classify images with a trained checkpoint: top classes and probabilities', load: async () => (await import('./predict.ts')).predictCommand },
  { name: 'bench', term: 'bench [options] <file>', summary: 'measure training and inference speed, memory, and time per op and per block', load: async () => (await import('./bench.ts')).benchCommand },
  { name: 'study', term: 'study [options] <files...>', summary: 'train several specs on the same data, steps and seed; write a comparison table and an accuracy-vs-time plot', load: async () => (await import('./study.ts')).studyCommand },
  { name: 'export', term: 'export [options] <spec-or-run>', summary: 'export a model (spec or run folder) for another toolchain: vmoe, onnx', load: async () => (await import('./export.ts')).exportCommand },
  { name: 'lsp', term: 'lsp [options]', summary: 'run the language server for editors (diagnostics, hover, completion, formatting …) over stdio', load: async () => (await import('./lsp.ts')).lspCommand },
  { name: 'routes', term: 'routes [options] <spec-or-run> [images...]', summary: 'picture where each image patch goes in every MoE block (PNG, SVG, routes.json)', load: async () => (await import('./routes.ts')).routesCommand },
  { name: 'report', term: 'report [options] <run>', summary: 'write a self-contained HTML report of a run: spec, summary, curves, routing', load: async () => (await import('./report.ts')).reportCommand },
];

/** Every command, loaded (for tests and programs that register them all at once). */
export async function loadAllCommands(): Promise<CommandModule[]> {
  return Promise.all(COMMANDS.map((entry) => entry.load()));
}

/** The command an argument list invokes (`moec [global options] NAME …`, `moec help NAME`), if any. */
export function invokedCommand(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((entry) => entry.name === name);
}

// The help terms of commands registered as listings only (their options are not known).
const LISTED_TERMS = new WeakMap<Command, string>();

/** Lists a command in `moec --help` without loading its module. */
function listedOnly(entry: CommandEntry): CommandModule {
  return {
    register(program) {
      LISTED_TERMS.set(program.command(entry.name).description(entry.summary), entry.term);
    },
  };
}

/** What main() registers: the invoked command's real module, every other one as a listing only. */
export async function commandsFor(argv: readonly string[]): Promise<CommandModule[]> {
  const invoked = invokedCommand(argv);
  const loaded = invoked ? await invoked.load() : undefined;
  return COMMANDS.map((entry) => (entry === invoked && loaded ? loaded : listedOnly(entry)));
}

/** The help term of a listed-only command; undefined for a loaded one (commander derives it). */
export function listedTerm(command: Command): string | undefined {
  return LISTED_TERMS.get(command);
}

// Starts tfjs-backend-wasm's threaded SIMD build in Node. The package ships it, and its
// Emscripten glue runs pthreads on worker_threads, but four things stop it in Node
// (tfjs-facts.md §2.5):
//   1. the WASM_HAS_MULTITHREAD_SUPPORT flag answers false whenever IS_NODE;
//   2. the pthread worker script and the module's main script are handed over as Blobs /
//      `blob:` URLs, which Node's Worker and the worker's importScripts cannot load;
//   3. the main script is a function's source text that refers to the bundle's module
//      aliases (`require$$0`…, `commonjsGlobal`), undefined where the worker evaluates it;
//   4. the C side sizes XNNPACK's pool at no more than os.cpus().length / 2.
// While the backend initialises, and only then, Blob and URL.createObjectURL are replaced
// so that both scripts become files (the main script with the aliases defined, the worker
// importing it by path), and os.cpus reports at least twice the wanted thread count; all
// are restored afterwards. The package text this relies on is checked first
// (`threadedBuildBlocker`): anything unexpected means one thread, with the reason.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/** The main script's first words, as tfjs builds it (`"var WasmBackendModuleThreadedSimd = " + factory.toString()`). */
const MAIN_SCRIPT_START = 'var WasmBackendModuleThreadedSimd';
/** Where the worker loads the main script: a path string is imported as is, a Blob through a `blob:` URL Node cannot read. */
const WORKER_IMPORT = /if\(typeof e\.data\.urlOrBlob==("|')string\1\)\{importScripts\(e\.data\.urlOrBlob\)\}/;
/** The same text as it stands, escaped, inside the bundle's string literal. */
const WORKER_IMPORT_IN_BUNDLE = /if\(typeof e\.data\.urlOrBlob==\\?("|')string\\?\1\)\{importScripts\(e\.data\.urlOrBlob\)\}/;
/** The bundle's module aliases: `var require$$0 = require('fs');`. */
const ALIAS_LINE = /^var (require\$\$\d+) = require\((['"])([\w:/.-]+)\2\);$/gm;
const ALIAS_USE = /\brequire\$\$\d+\b/g;
/** A WebAssembly module with a shared memory and an atomic load (wasm-feature-detect's threads test). */
const THREADS_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11]);

/** What the running Node offers (injectable for tests). */
export interface ThreadEnvironment {
  readonly sharedArrayBuffer: boolean;
  readonly atomics: boolean;
  readonly wasmThreads: boolean;
  readonly wasmSimd: boolean;
}

export function currentThreadEnvironment(wasmSimd: boolean): ThreadEnvironment {
  let wasmThreads = false;
  try {
    wasmThreads = typeof SharedArrayBuffer === 'function' && WebAssembly.validate(THREADS_PROBE);
  } catch {
    wasmThreads = false;
  }
  return { sharedArrayBuffer: typeof SharedArrayBuffer === 'function', atomics: typeof Atomics === 'object', wasmThreads, wasmSimd };
}

/** Why this Node cannot run the threaded build, or undefined when it can. */
export function environmentBlocker(env: ThreadEnvironment): string | undefined {
  if (!env.sharedArrayBuffer) return 'this Node has no SharedArrayBuffer';
  if (!env.atomics) return 'this Node has no Atomics';
  if (!env.wasmThreads) return "this Node's WebAssembly has no threads (shared memory)";
  if (!env.wasmSimd) return "this Node's WebAssembly has no SIMD (the threaded build needs it)";
  return undefined;
}

/** What the bundle must contain for the start below to work: the aliases it defines. */
export interface BundleFacts {
  /** `require$$N` → module name, from the bundle's header. */
  readonly aliases: ReadonlyMap<string, string>;
}

/**
 * Checks the package's Node bundle for the text the threaded start relies on; a reason
 * (naming what is missing) when the package is not the one this was written against.
 */
export function inspectBundle(text: string): BundleFacts | string {
  const unexpected = (what: string) => `unexpected @tensorflow/tfjs-backend-wasm package (${what})`;
  if (!text.includes(`"${MAIN_SCRIPT_START} = "`)) return unexpected('no threaded main script');
  if (!WORKER_IMPORT_IN_BUNDLE.test(text)) return unexpected("the pthread worker's script import changed");
  if (!text.includes('.cpus().length')) return unexpected('no core count in the pthread glue');
  if (!/\bvar commonjsGlobal\b/.test(text)) return unexpected('no commonjsGlobal');
  const aliases = new Map<string, string>();
  for (const m of text.matchAll(ALIAS_LINE)) aliases.set(m[1]!, m[3]!);
  const undefinedAlias = [...new Set(text.match(ALIAS_USE) ?? [])].find((a) => !aliases.has(a));
  if (undefinedAlias) return unexpected(`module alias ${undefinedAlias} is not a plain require`);
  return { aliases };
}

/** The main script as the worker can evaluate it: the bundle's aliases defined first. */
export function mainScriptForWorker(text: string, facts: BundleFacts): string {
  const used = [...new Set(text.match(ALIAS_USE) ?? [])];
  const missing = used.find((a) => !facts.aliases.has(a));
  if (missing) throw new Error(unexpectedRuntime(`the main script uses ${missing}`));
  const prelude = used.map((a) => `var ${a} = require(${JSON.stringify(facts.aliases.get(a))});`).join('');
  return `${prelude}var commonjsGlobal = globalThis;\n${text}`;
}

/** The pthread worker script, importing the main script from `mainFile` instead of a Blob. */
export function workerScriptForNode(text: string, mainFile: string): string {
  if (!WORKER_IMPORT.test(text)) throw new Error(unexpectedRuntime("the pthread worker's script import changed"));
  return text.replace(WORKER_IMPORT, () => `if(true){importScripts(${JSON.stringify(mainFile)})}`);
}

function unexpectedRuntime(what: string): string {
  return `unexpected @tensorflow/tfjs-backend-wasm package (${what})`;
}

/**
 * Where the scripts go: content-addressed files under the temp folder, shared by every
 * process (written once, atomically). Compiled first: a script that does not parse would
 * fail inside a worker, where its error ends the process instead of falling back.
 */
function scriptFile(text: string, kind: string): string {
  new vm.Script(text, { filename: `${kind}.js` });
  const dir = path.join(os.tmpdir(), `moec-wasm-threads-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${kind}-${createHash('sha256').update(text).digest('hex').slice(0, 20)}.js`);
  try {
    if (readFileSync(file, 'utf8') === text) return file;
  } catch {
    // not written yet
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return file;
}

/**
 * Runs `init` (which initialises the wasm backend) with the scoped replacements in place,
 * restoring every global afterwards, whatever happens.
 */
export async function withThreadedScripts<T>(facts: BundleFacts, threads: number, init: () => Promise<T>): Promise<T> {
  const g = globalThis as { Blob: typeof Blob; Worker?: unknown };
  const RealBlob = g.Blob;
  const hadWorker = Object.prototype.hasOwnProperty.call(globalThis, 'Worker');
  const realWorker = g.Worker;
  const realCreateObjectURL = URL.createObjectURL;
  const realCpus = os.cpus;
  const texts = new WeakMap<Blob, string>();
  let mainFile: string | undefined;
  class FileBackedBlob extends RealBlob {
    constructor(parts: BlobPart[] = [], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts.every((p) => typeof p === 'string')) {
        const text = parts.join('');
        texts.set(this, text);
        // The main script comes first (tfjs builds it before the factory asks for the worker).
        if (text.startsWith(MAIN_SCRIPT_START)) mainFile = scriptFile(mainScriptForWorker(text, facts), 'main');
      }
    }
  }
  g.Blob = FileBackedBlob;
  URL.createObjectURL = (obj: Blob | MediaSource) => {
    const text = obj instanceof FileBackedBlob ? texts.get(obj) : undefined;
    if (text === undefined || text.startsWith(MAIN_SCRIPT_START)) return realCreateObjectURL(obj as Blob);
    if (!mainFile) throw new Error(unexpectedRuntime('the worker script was asked for before the main script'));
    return scriptFile(workerScriptForNode(text, mainFile), 'worker');
  };
  // XNNPACK's pool is capped at half the cores Emscripten reports; report enough for `threads`.
  os.cpus = () => {
    const cpus = realCpus.call(os);
    const padded = [...cpus];
    while (padded.length < 2 * threads && cpus.length > 0) padded.push(cpus[padded.length % cpus.length]!);
    return padded;
  };
  try {
    return await init();
  } finally {
    g.Blob = RealBlob;
    URL.createObjectURL = realCreateObjectURL;
    os.cpus = realCpus;
    // The glue sets globalThis.Worker = worker_threads.Worker; its pool is complete by now.
    if (hadWorker) g.Worker = realWorker;
    else delete g.Worker;
  }
}

/** The pool's running pthreads hold a ref; without this they keep the process alive after the work ends. */
export function unrefPthreads(module: unknown): number {
  const pthread = (module as { PThread?: { runningWorkers?: { unref?: () => void }[]; unusedWorkers?: { unref?: () => void }[] } } | undefined)?.PThread;
  const workers = [...(pthread?.runningWorkers ?? []), ...(pthread?.unusedWorkers ?? [])];
  for (const w of workers) w.unref?.();
  return workers.length;
}

/** The bundle Node loads for `@tensorflow/tfjs-backend-wasm` (its `main`). */
export function readBundle(resolvedMain: string): string | undefined {
  try {
    return readFileSync(resolvedMain, 'utf8');
  } catch {
    return undefined;
  }
}

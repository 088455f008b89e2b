// WebGPU in Node: @tensorflow/tfjs-backend-webgpu on Dawn through the optional
// `webgpu` package (dawn.node). Dawn's default adapter is the machine's GPU
// (Vulkan on Linux, Metal on macOS, D3D12 on Windows). Without one, Dawn's
// OpenGL ES backend on Mesa's software rasteriser (llvmpipe) still gives an
// adapter at the 'compatibility' feature level (tfjs-facts.md §3a, §7.6): slow,
// but a real WebGPU code path. Both packages are optional dependencies and are
// imported by runtime name, so their absence never breaks compiling or testing.
import * as tf from '@tensorflow/tfjs';

/** What to install, said once in every error that needs it. */
export const WEBGPU_PACKAGES_HINT =
  "npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0 (moec lists them as optionalDependencies)";
export const WEBGPU_SYSTEM_HINT =
  'on a machine without a Vulkan GPU driver, install Mesa\'s software OpenGL ES (Debian/Ubuntu: apt-get install libegl1 libegl-mesa0 libgles2)';

export class WebgpuUnavailable extends Error {}

interface GpuAdapterLike {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}
interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<GpuAdapterLike | null>;
}
interface WebgpuModule {
  create?: (flags: string[]) => GpuLike;
  globals?: Record<string, unknown>;
}
interface TfjsWebgpuModule {
  WebGPUBackend?: new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;
  webgpu_util?: WebgpuUtil;
}

/** One Dawn configuration to try: instance flags and the adapter options forced on every request. */
interface DawnChoice {
  readonly flags: string[];
  readonly adapterOptions: Record<string, unknown>;
  readonly label: string;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}

/**
 * The Dawn configurations to try, in order. MOEC_WEBGPU_DAWN_BACKEND (e.g.
 * `vulkan`, `opengles`, `opengl`) pins one; otherwise the GPU first, then
 * software OpenGL ES. Dawn's GL backends need the 'compatibility' feature level.
 */
function dawnChoices(): DawnChoice[] {
  const pinned = process.env.MOEC_WEBGPU_DAWN_BACKEND?.trim();
  const dawn = (name: string): DawnChoice => ({
    flags: [`backend=${name}`],
    adapterOptions: name === 'opengles' || name === 'opengl' ? { featureLevel: 'compatibility' } : {},
    label: pinned ? `Dawn ${name} (MOEC_WEBGPU_DAWN_BACKEND)` : `Dawn ${name}`,
  });
  if (pinned) return [dawn(pinned)];
  const native: DawnChoice = { flags: [], adapterOptions: {}, label: 'Dawn default (GPU)' };
  return process.platform === 'linux' ? [native, dawn('opengles')] : [native];
}

/** Headless EGL needs these on Linux (Mesa surfaceless platform); a user's own values win. */
function setHeadlessEglDefaults(): void {
  if (process.platform !== 'linux') return;
  process.env.EGL_PLATFORM ??= 'surfaceless';
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
}

function describeAdapter(adapter: GpuAdapterLike, choice: DawnChoice): string {
  const info = adapter.info ?? {};
  const name = [info.vendor, info.device, info.description].filter((s) => s && s.length > 0).join(' ');
  return `${choice.label}: ${name || 'unnamed adapter'}`;
}

/** Makes `navigator.gpu` the given GPU (Node 20 has no navigator; Node 21+ has one without gpu). */
function installNavigatorGpu(gpu: GpuLike): void {
  const g = globalThis as unknown as { navigator?: object };
  if (g.navigator && typeof g.navigator === 'object') {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true });
  }
}

let adapterDescription: string | undefined;
let webgpuUtil: WebgpuUtil | undefined;

/**
 * Registers the 'webgpu' tfjs backend on a Dawn adapter (once per process) and
 * returns a description of the adapter. Throws WebgpuUnavailable with what to
 * install when the packages are missing or Dawn finds no adapter.
 */
export async function registerWebgpuBackend(): Promise<string> {
  if (adapterDescription && tf.findBackendFactory('webgpu')) return adapterDescription;
  setHeadlessEglDefaults();
  let webgpu: WebgpuModule;
  try {
    webgpu = (await import(/* @vite-ignore */ ['webgpu'][0])) as WebgpuModule;
  } catch (error) {
    throw new WebgpuUnavailable(`the webgpu backend needs the optional package 'webgpu' (${WEBGPU_PACKAGES_HINT}): ${firstLine(error)}`);
  }
  if (!webgpu.create || !webgpu.globals) throw new WebgpuUnavailable("the installed 'webgpu' package does not export create() and globals (moec expects webgpu@0.6.2)");

  const tried: string[] = [];
  let chosen: { gpu: GpuLike; choice: DawnChoice; adapter: GpuAdapterLike } | undefined;
  for (const choice of dawnChoices()) {
    let gpu: GpuLike;
    let adapter: GpuAdapterLike | null;
    try {
      gpu = webgpu.create(choice.flags);
      adapter = await gpu.requestAdapter(choice.adapterOptions);
    } catch (error) {
      tried.push(`${choice.label}: ${firstLine(error)}`);
      continue;
    }
    if (adapter) {
      chosen = { gpu, choice, adapter };
      break;
    }
    tried.push(`${choice.label}: no adapter`);
  }
  if (!chosen) {
    throw new WebgpuUnavailable(`the webgpu backend found no GPU adapter (${tried.join('; ')}); ${WEBGPU_SYSTEM_HINT}`);
  }

  // tfjs-backend-webgpu requests its own adapter through navigator.gpu with only
  // a powerPreference: force the configuration that just worked.
  const { gpu, choice } = chosen;
  const request = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = (options: Record<string, unknown> = {}) => request({ ...options, ...choice.adapterOptions });
  Object.assign(globalThis, webgpu.globals);
  installNavigatorGpu(gpu);

  let backendModule: TfjsWebgpuModule;
  try {
    // Registers the 'webgpu' backend on import when navigator.gpu exists.
    backendModule = (await import(/* @vite-ignore */ ['@tensorflow/tfjs-backend-webgpu'][0])) as TfjsWebgpuModule;
  } catch (error) {
    throw new WebgpuUnavailable(
      `the webgpu backend needs the optional package '@tensorflow/tfjs-backend-webgpu' (${WEBGPU_PACKAGES_HINT}): ${firstLine(error)}`,
    );
  }
  if (!tf.findBackendFactory('webgpu')) {
    // The package was imported earlier, before navigator.gpu existed, and skipped registering.
    const Backend = backendModule.WebGPUBackend;
    if (!Backend) throw new WebgpuUnavailable("'@tensorflow/tfjs-backend-webgpu' registered no backend and exports no WebGPUBackend");
    tf.registerBackend('webgpu', async () => {
      const adapter = (await gpu.requestAdapter()) as unknown as { requestDevice(d?: object): Promise<unknown>; info?: unknown };
      return new Backend(await adapter.requestDevice(), adapter.info);
    });
  }
  webgpuUtil = backendModule.webgpu_util;
  adapterDescription = describeAdapter(chosen.adapter, choice);
  return adapterDescription;
}

interface WebgpuUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(layout: { x: number[] }, shape: number[], workgroupSize: number[], perThread: number[]): number[];
}
interface WebgpuBackendLike {
  readonly tensorMap: { get(dataId: object): { dtype: tf.DataType } | undefined };
  shouldExecuteOnCPU(inputs: tf.TensorInfo[]): boolean;
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType): tf.TensorInfo;
}

/**
 * A Transpose program for int32/bool tensors. tfjs-backend-webgpu 4.22's own
 * writes the i32 input with `setOutputAtIndex`, which takes f32: the GPU rejects
 * the shader and the result silently reads as zeros. That hits int32 and bool
 * tensors, and float32 ones cast from them (a widening cast only relabels the
 * i32 buffer): the routers transpose indices and one-hot masks. Same shader
 * otherwise, with the i32 setter (which converts to the output's type).
 */
function integerTransposeProgram(util: WebgpuUtil, shape: readonly number[], perm: readonly number[]): object {
  const rank = shape.length;
  const outputShape = perm.map((p) => shape[p]);
  const workgroupSize = [64, 1, 1];
  const dispatchLayout = util.flatDispatchLayout(outputShape);
  const axes = ['x', 'y', 'z', 'w', 'u', 'v'];
  const switched = new Array<string>(rank);
  perm.forEach((p, i) => (switched[p] = `coords.${axes[i]}`));
  const coordsType = rank === 2 ? 'vec2<i32>' : rank === 3 ? 'vec3<i32>' : rank === 4 ? 'vec4<i32>' : `vec${rank}`;
  const read = rank === 1 ? 'A[index]' : `A[getIndexFromCoords${rank}D(${coordsType}(${switched.join(',')}), uniforms.aShape)]`;
  return {
    variableNames: ['A'],
    workgroupSize,
    size: true,
    outputShape,
    dispatchLayout,
    dispatch: util.computeDispatch(dispatchLayout, outputShape, workgroupSize, [1, 1, 1]),
    shaderKey: `moec_int_transpose_${perm.join('_')}`,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          setOutputAtIndexI32(index, ${read});
        }
      }`,
  };
}

function patchIntegerTranspose(util: WebgpuUtil): void {
  const original = tf.getKernel('Transpose', 'webgpu');
  if (!original) throw new WebgpuUnavailable('the webgpu backend has no Transpose kernel');
  tf.unregisterKernel('Transpose', 'webgpu');
  tf.registerKernel({
    kernelName: 'Transpose',
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs.x as tf.TensorInfo;
      const gpu = backend as unknown as WebgpuBackendLike;
      const stored = gpu.tensorMap.get(x.dataId)?.dtype ?? x.dtype;
      if (stored === 'float32' || x.shape.length > 6 || gpu.shouldExecuteOnCPU([x])) return original.kernelFunc({ inputs, backend, attrs });
      const perm = (attrs as unknown as { perm: number[] }).perm;
      return gpu.runWebGPUProgram(integerTransposeProgram(util, x.shape, perm), [x], x.dtype);
    },
  });
}

/**
 * tfjs-backend-webgpu 4.22's AddN binds every input as a storage buffer in one
 * shader, but a shader stage may bind only maxStorageBuffersPerShaderStage of
 * them (8 under Dawn's compatibility mode): the global gradient norm over 60
 * parameters was silently wrong. Sum in chunks that fit, as its Concat does.
 */
function patchAddN(maxStorageBuffers: number): void {
  const original = tf.getKernel('AddN', 'webgpu');
  if (!original) throw new WebgpuUnavailable('the webgpu backend has no AddN kernel');
  const maxInputs = Math.max(2, maxStorageBuffers - 1); // one binding is the output
  tf.unregisterKernel('AddN', 'webgpu');
  const addN = (inputs: tf.TensorInfo[], backend: object): tf.TensorInfo => {
    if (inputs.length <= maxInputs) return original.kernelFunc({ inputs: inputs as unknown as tf.NamedTensorInfoMap, backend, attrs: {} }) as tf.TensorInfo;
    const partial: tf.TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += maxInputs) partial.push(addN(inputs.slice(i, i + maxInputs), backend));
    const sum = addN(partial, backend);
    for (const t of partial) (backend as tf.KernelBackend).disposeData(t.dataId);
    return sum;
  };
  tf.registerKernel({
    kernelName: 'AddN',
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => addN(inputs as unknown as tf.TensorInfo[], backend),
  });
}

const gpuErrors: string[] = [];

/**
 * GPU validation errors (e.g. a shader the GPU rejects) are reported
 * asynchronously, and the affected results read as zeros. Dawn prints them to
 * stderr; moec also records them so callers and tests can check for them.
 */
export function webgpuErrors(): readonly string[] {
  return gpuErrors;
}

let activated = false;

/** Once the 'webgpu' backend is active: kernel fixes, error recording. */
export function onWebgpuActivated(): void {
  if (activated) return;
  activated = true;
  if (!webgpuUtil) throw new WebgpuUnavailable('internal: the webgpu backend was activated before it was registered');
  patchIntegerTranspose(webgpuUtil);
  const device = (tf.backend() as unknown as { device?: EventTarget & { limits?: { maxStorageBuffersPerShaderStage?: number } } }).device;
  patchAddN(device?.limits?.maxStorageBuffersPerShaderStage ?? 8);
  device?.addEventListener('uncapturederror', (event) => {
    const error = (event as unknown as { error?: { message?: string } }).error;
    gpuErrors.push(firstLine(error?.message ?? 'unknown GPU error'));
  });
}

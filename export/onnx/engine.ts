// onnxruntime as moec's second inference engine (`--engine onnx` of predict,
// eval and bench): a session on an exported model, threads = cores, fed in
// batches. Batches are padded with blank images to what the model accepts (its
// fixed batch, or a multiple of `moec.batch_multiple` when routing groups span
// images); padding never changes the logits of routers with one group per image.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { onnx } from './proto.ts';
import { OnnxExportError } from './errors.ts';

export interface OnnxEngineOptions {
  /** Intra-op threads (default: every core). */
  readonly threads?: number;
  /** The image the caller will feed, [H, W, C]: checked against the model's input. */
  readonly image?: readonly [number, number, number];
  readonly classes?: number;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
}

export class OnnxEngine {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly label: string,
    /** Fixed batch of the model, or undefined when dynamic. */
    readonly fixedBatch: number | undefined,
    readonly batchMultiple: number,
    readonly image: readonly number[],
    readonly classes: number,
    readonly threads: number,
  ) {}

  /** Opens an .onnx file, or model bytes (label names them in messages). */
  static async open(source: { file: string } | { bytes: Uint8Array; label: string }, options: OnnxEngineOptions = {}): Promise<OnnxEngine> {
    const label = 'file' in source ? source.file : source.label;
    let bytes: Uint8Array;
    try {
      bytes = 'file' in source ? readFileSync(source.file) : source.bytes;
    } catch (e) {
      throw new OnnxExportError('MOE0605', `${label}: cannot read the ONNX model (${(e as NodeJS.ErrnoException).code ?? firstLine(e)})`, 'export one with `moec export SPEC --to onnx --checkpoint RUN -o model.onnx`');
    }
    let proto: ReturnType<typeof onnx.ModelProto.decode>;
    try {
      proto = onnx.ModelProto.decode(bytes);
      if (!proto.graph) throw new Error('no graph');
    } catch (e) {
      throw new OnnxExportError('MOE0605', `${label}: not an ONNX model (${firstLine(e)})`, 'export one with `moec export SPEC --to onnx --checkpoint RUN -o model.onnx`');
    }
    const threads = options.threads ?? availableParallelism();
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    } catch (e) {
      throw new OnnxExportError('MOE0605', `${label}: onnxruntime cannot load the model: ${firstLine(e)}`, 're-export it with this moec version');
    }
    const input = session.inputMetadata.find((m) => m.name === 'images');
    const output = session.outputMetadata.find((m) => m.name === 'logits');
    if (!input || !output || !input.isTensor || !output.isTensor) {
      await session.release();
      throw new OnnxExportError('MOE0606', `${label}: the model has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; moec needs an input 'images' and an output 'logits'`, 'use a model written by `moec export --to onnx`');
    }
    const [batchDim, ...image] = input.shape;
    const classes = output.shape[1];
    const fail = async (why: string) => {
      await session.release();
      return new OnnxExportError('MOE0606', `${label}: ${why}`, 'export the model of this spec and checkpoint again');
    };
    if (options.image && (image.length !== 3 || image.some((d, i) => d !== options.image![i])))
      throw await fail(`the model takes images [${image.join(', ')}], the spec's images are [${options.image.join(', ')}]`);
    if (options.classes !== undefined && classes !== options.classes) throw await fail(`the model has ${String(classes)} classes, the spec ${options.classes}`);
    const multiple = Number(proto.metadataProps?.find((p) => p.key === 'moec.batch_multiple')?.value ?? '1') || 1;
    return new OnnxEngine(session, label, typeof batchDim === 'number' ? batchDim : undefined, multiple, image as number[], Number(classes), threads);
  }

  private padTo(n: number): number {
    if (this.fixedBatch !== undefined) return this.fixedBatch;
    return Math.ceil(n / this.batchMultiple) * this.batchMultiple;
  }

  /** Logits [n, classes] of `n` images (NHWC float32), run in batches of at most `batch` (default: all). */
  async logits(images: Float32Array, n: number, batch = n): Promise<Float32Array> {
    const pixels = this.image.reduce((a, b) => a * b, 1);
    if (images.length !== n * pixels) throw new OnnxExportError('MOE0606', `${this.label}: ${images.length} values are not ${n} images of [${this.image.join(', ')}]`);
    const step = this.fixedBatch ?? Math.max(1, batch);
    const out = new Float32Array(n * this.classes);
    for (let start = 0; start < n; start += step) {
      const count = Math.min(step, n - start);
      const padded = this.padTo(count);
      const feed = new Float32Array(padded * pixels);
      feed.set(images.subarray(start * pixels, (start + count) * pixels));
      const result = await this.session.run({ images: new ort.Tensor('float32', feed, [padded, ...this.image]) });
      const logits = result.logits!.data as Float32Array;
      out.set(logits.subarray(0, count * this.classes), start * this.classes);
      for (const t of Object.values(result)) t.dispose();
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Image embeddings kept on the GPU between decodes (WebGPU worker only), and the decoder's
 * shaders compiled before the first click.
 *
 * The encoder session hands its outputs over as GPU buffers (`preferredOutputLocation:
 * 'gpu-buffer'`, runtime.ts). The encode replies as soon as the GPU has finished the encoder's
 * work (`queue.onSubmittedWorkDone()`), not when its commands are merely submitted; the three
 * embeddings are copied down to the CPU after that reply (issue 13: ~33 ms on an H200 no longer
 * in image → ready). The image holds an {@link ImageEmbeddings} handle whose CPU copy is a
 * promise: the memory and disk caches get the data when it lands, and a copy-down that fails only
 * leaves them empty (counted). The GPU buffers stay resident for the image encoded or decoded
 * last: a click feeds them to the decoder as they are, without waiting for the copy-down and
 * without uploading ~17 MB (SAM 2.1) every time. Resident buffers are never disposed before their
 * copy-down finished. An image whose embeddings are not resident (a revisit answered from a
 * cache) is uploaded once, on its first decode, and then stays resident in turn. One image's
 * worth is kept at a time.
 *
 * The first WebGPU `decoder.run` compiles its shaders (1.1-2 s on an H200, issue 13): after the
 * first encode of a model, a decode of one dummy point runs in the background. Sessions are not
 * re-entrant, so anything that needs a session waits for it once it has started: it therefore
 * starts only when no encode or decode has been waiting for {@link WARM_UP_QUIET_MS} (another
 * image set right after the first one is encoded first; the warm-up follows the last of them). A
 * click that comes before the warm-up started is its own warm-up: the warm-up is then skipped.
 */
import type * as ort from 'onnxruntime-web/wasm';
import type { ContractAdapter, Embeddings } from './contracts.js';
import { onDeviceLost } from './gpu-device.js';
import { EXECUTION_PROVIDER, configureRuntime } from './runtime.js';
import { sessionWorkWaiting } from './serial.js';
import { counters } from './stats.js';

interface GpuBufferLike {
  destroy(): void;
}
interface GpuDeviceLike {
  createBuffer(descriptor: { size: number; usage: number }): GpuBufferLike;
  queue: { writeBuffer(buffer: GpuBufferLike, offset: number, data: ArrayBufferView): void; onSubmittedWorkDone?(): Promise<void> };
}
// GPUBufferUsage.STORAGE | COPY_SRC | COPY_DST: what onnxruntime asks of a buffer it is fed.
const TENSOR_USAGE = 0x80 | 0x04 | 0x08;

/**
 * How long no encode or decode may be waiting before the decoder warm-up starts (ms). A page
 * that sets its next image right after `image-encode` (a gallery, the benchmark: 35 ms on the GPU
 * machine) gets it encoded before the ~1.3 s warm-up instead of behind it; a click in this window
 * runs at once and compiles the shaders itself.
 */
export const WARM_UP_QUIET_MS = 100;

/**
 * An image's embeddings as the worker holds them. Its identity is what the resident GPU buffers
 * are matched by.
 */
export interface ImageEmbeddings {
  /**
   * On the CPU: at once (WASM, an image from a cache), or on WebGPU once copied down after the
   * encode replied. Rejects when that copy-down failed (then only the caches stay empty).
   */
  readonly cpu: Promise<Embeddings>;
}

/** Embeddings already on the CPU (the WASM worker, the memory or disk cache). */
export const cpuEmbeddings = (embeddings: Embeddings): ImageEmbeddings => ({ cpu: Promise.resolve(embeddings) });

interface Resident {
  owner: ImageEmbeddings;
  gpu: Embeddings;
  /** Settles when the copy-down of these buffers (if any) is over: only then may they go. */
  copied: Promise<unknown>;
}
let resident: Resident | null = null;
/** Bumped when the device is lost: buffers of an older generation are never touched again. */
let generation = 0;
/** The background decoder warm-up in flight (or done): every session run waits for it. */
let warming: Promise<void> = Promise.resolve();
const warmedDecoders = new WeakSet<ort.InferenceSession>();

interface WarmUp {
  model: { decoder: ort.InferenceSession; adapter: ContractAdapter };
  embeddings: ImageEmbeddings;
  width: number;
  height: number;
}
/** The warm-up asked for and not started yet (one: the latest encode's). */
let pendingWarmUp: WarmUp | null = null;
let warmUpTimer: ReturnType<typeof setTimeout> | undefined;

onDeviceLost(() => {
  // The buffers went with the device; destroying them is pointless (and may throw).
  generation++;
  resident = null;
  pendingWarmUp = null;
  clearTimeout(warmUpTimer);
});

const onGpu = (tensor: ort.Tensor) => tensor.location === 'gpu-buffer';

function keep(next: Resident) {
  const previous = resident;
  resident = next;
  if (!previous || previous.gpu === next.gpu) return;
  const born = generation;
  // A copy-down reads these buffers: they go once it is over, never under it.
  void previous.copied.finally(() => {
    if (born !== generation) return;
    for (const tensor of previous.gpu) {
      try {
        tensor.dispose();
      } catch {
        // Already gone with its session.
      }
    }
  });
}

async function gpuDevice(): Promise<GpuDeviceLike | undefined> {
  const device = (await (configureRuntime().env.webgpu?.device as unknown)) as GpuDeviceLike | undefined;
  return device && typeof device.createBuffer === 'function' ? device : undefined;
}

/** What an encode hands to its image. */
export interface EncodedEmbeddings {
  embeddings: ImageEmbeddings;
  /** ms waited for the GPU to finish the encoder's work after `run()` resolved (0 on WASM). */
  gpuWait: number;
  /** The CPU copy comes from the GPU (it lands after the reply). */
  copyDown: boolean;
}

/**
 * Encoder outputs → the embeddings the image holds. On WebGPU: waits until the GPU has finished
 * the encode, keeps the buffers resident for this image's decodes and starts their copy-down
 * (which lands after the encode replied); any other GPU output is released.
 */
export async function embeddingsFromEncoder(adapter: ContractAdapter, outputs: ort.InferenceSession.OnnxValueMapType): Promise<EncodedEmbeddings> {
  const chosen = adapter.embeddings(outputs);
  for (const tensor of Object.values(outputs)) if (!chosen.includes(tensor) && onGpu(tensor)) tensor.dispose();
  if (!chosen.some(onGpu)) return { embeddings: cpuEmbeddings(chosen), gpuWait: 0, copyDown: false };
  const { Tensor } = configureRuntime();
  // The GPU views are made first: a tensor copied down no longer hands out its buffer.
  const gpu = chosen.map((tensor) =>
    onGpu(tensor) ? Tensor.fromGpuBuffer(tensor.gpuBuffer, { dataType: tensor.type as 'float32', dims: tensor.dims, dispose: () => tensor.dispose() }) : tensor,
  ) as Embeddings;
  // "Ready" means the GPU is done, not that the commands were submitted.
  const t0 = performance.now();
  const device = await gpuDevice();
  await device?.queue.onSubmittedWorkDone?.();
  const gpuWait = performance.now() - t0;
  // Each download submits its copy now (so nothing later can overwrite the buffers first) and
  // lands a few tasks later, after the reply.
  const cpu = Promise.all(chosen.map(async (tensor) => (onGpu(tensor) ? new Tensor(tensor.type, await tensor.getData(), tensor.dims) : tensor))) as Promise<Embeddings>;
  const embeddings: ImageEmbeddings = { cpu };
  const copied = cpu.then(
    () => {},
    () => {
      counters.embeddingCopyDownFailures++;
    },
  );
  keep({ owner: embeddings, gpu, copied });
  counters.embeddingsKeptOnDevice++;
  return { embeddings, gpuWait, copyDown: true };
}

/**
 * The tensors to feed the decoder for these embeddings: on WebGPU, GPU buffers (the resident
 * ones as they are, else uploaded once from the CPU copy). The decode is the decoder's first run
 * if no warm-up ran yet: then it is its own warm-up and the background one is skipped.
 */
export async function embeddingsForDecoder(embeddings: ImageEmbeddings, decoder: ort.InferenceSession): Promise<Embeddings> {
  await warming;
  if (EXECUTION_PROVIDER === 'webgpu' && !warmedDecoders.has(decoder)) {
    warmedDecoders.add(decoder);
    if (pendingWarmUp?.model.decoder === decoder) {
      pendingWarmUp = null;
      counters.decoderWarmUpsSkipped++;
    }
  }
  return onDevice(embeddings);
}

async function onDevice(embeddings: ImageEmbeddings): Promise<Embeddings> {
  if (EXECUTION_PROVIDER !== 'webgpu') return embeddings.cpu;
  if (resident?.owner === embeddings) return resident.gpu;
  const cpu = await embeddings.cpu;
  if (resident?.owner === embeddings) return resident.gpu;
  const device = await gpuDevice();
  if (!device) return cpu;
  const ortModule = configureRuntime();
  const gpu = cpu.map((tensor) => {
    const data = tensor.data as ArrayBufferView;
    const buffer = device.createBuffer({ size: Math.ceil(data.byteLength / 16) * 16, usage: TENSOR_USAGE });
    device.queue.writeBuffer(buffer, 0, data);
    return ortModule.Tensor.fromGpuBuffer(buffer as unknown as ort.Tensor.GpuBufferType, {
      dataType: tensor.type as 'float32',
      dims: tensor.dims,
      dispose: () => buffer.destroy(),
    });
  }) as Embeddings;
  keep({ owner: embeddings, gpu, copied: Promise.resolve() });
  counters.embeddingUploads++;
  return gpu;
}

/** Waits for the decoder warm-up, if one is running (before any other session run). */
export const sessionsIdle = (): Promise<void> => warming;

/**
 * After an encode on WebGPU: the decoder's first run (its shader compilation) is scheduled, with
 * one point at the image's centre; its result is dropped. It starts once no encode or decode has
 * been waiting for WARM_UP_QUIET_MS (a later encode's request replaces this one). Once per
 * decoder session.
 */
export function warmUpDecoder(model: WarmUp['model'], embeddings: ImageEmbeddings, width: number, height: number) {
  if (EXECUTION_PROVIDER !== 'webgpu' || warmedDecoders.has(model.decoder)) return;
  pendingWarmUp = { model, embeddings, width, height };
  clearTimeout(warmUpTimer);
  warmUpTimer = setTimeout(startWarmUp, WARM_UP_QUIET_MS);
}

function startWarmUp() {
  warmUpTimer = undefined;
  const job = pendingWarmUp;
  if (!job) return;
  // An encode or decode is queued or running: look again once it has been quiet a while.
  if (sessionWorkWaiting()) {
    warmUpTimer = setTimeout(startWarmUp, WARM_UP_QUIET_MS);
    return;
  }
  pendingWarmUp = null;
  if (warmedDecoders.has(job.model.decoder)) return;
  warmedDecoders.add(job.model.decoder);
  warming = warming.then(async () => {
    try {
      const prompts = { points: [{ x: job.width / 2, y: job.height / 2, label: 1 as const }], box: null };
      // The resident buffers when they are this image's; else its CPU copy as it is (an upload
      // here would evict another image's resident buffers).
      const embeddings = resident?.owner === job.embeddings ? resident.gpu : await job.embeddings.cpu;
      const feeds = job.model.adapter.decoderFeeds(embeddings, prompts, job.width, job.height, null);
      for (const name of Object.keys(feeds)) if (!job.model.decoder.inputNames.includes(name)) delete feeds[name];
      counters.encodesBeforeDecoderWarmUp = counters.imagesEncoded;
      await job.model.decoder.run(feeds);
      counters.decoderWarmUps++;
    } catch {
      // A failing decoder is reported by the first real click.
    }
  });
}

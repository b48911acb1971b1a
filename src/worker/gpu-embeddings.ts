/**
 * Image embeddings kept on the GPU between decodes (WebGPU worker only), and the decoder's
 * shaders compiled before the first click.
 *
 * The encoder session hands its outputs over as GPU buffers (`preferredOutputLocation:
 * 'gpu-buffer'`, runtime.ts). They are copied down once (the memory and disk caches, exports and
 * a later re-upload need CPU data) and the GPU buffers stay resident for the image decoded last:
 * a click then feeds them to the decoder as they are, instead of uploading ~17 MB (SAM 2.1) every
 * time. An image whose embeddings are not resident (a revisit answered from a cache) is uploaded
 * once, on its first decode, and then stays resident in turn. One image's worth is kept at a time.
 *
 * The first WebGPU `decoder.run` compiles its shaders (1.1-2 s on an H200, issue 13): right after
 * the first encode of a model, a decode of one dummy point runs in the background, on the GPU
 * embeddings just made. The next encode or decode waits for it (sessions are not re-entrant).
 */
import type * as ort from 'onnxruntime-web/wasm';
import type { ContractAdapter, Embeddings } from './contracts.js';
import { onDeviceLost } from './gpu-device.js';
import { EXECUTION_PROVIDER, configureRuntime } from './runtime.js';
import { counters } from './stats.js';

interface GpuBufferLike {
  destroy(): void;
}
interface GpuDeviceLike {
  createBuffer(descriptor: { size: number; usage: number }): GpuBufferLike;
  queue: { writeBuffer(buffer: GpuBufferLike, offset: number, data: ArrayBufferView): void };
}
// GPUBufferUsage.STORAGE | COPY_SRC | COPY_DST: what onnxruntime asks of a buffer it is fed.
const TENSOR_USAGE = 0x80 | 0x04 | 0x08;

interface Resident {
  /** The CPU embeddings the page's image holds (identity is the key). */
  cpu: Embeddings;
  gpu: Embeddings;
}
let resident: Resident | null = null;
/** The background decoder warm-up in flight (or done): every session run waits for it. */
let warming: Promise<void> = Promise.resolve();
const warmedDecoders = new WeakSet<ort.InferenceSession>();

onDeviceLost(() => {
  // The buffers went with the device; destroying them is pointless (and may throw).
  resident = null;
});

const onGpu = (tensor: ort.Tensor) => tensor.location === 'gpu-buffer';

function keep(next: Resident) {
  const previous = resident;
  resident = next;
  if (previous && previous.gpu !== next.gpu) for (const tensor of previous.gpu) tensor.dispose();
}

/**
 * Encoder outputs → the embeddings the image holds (on the CPU). GPU outputs are copied down and
 * their buffers kept resident for this image's decodes; any other GPU output is released.
 */
export async function embeddingsFromEncoder(adapter: ContractAdapter, outputs: ort.InferenceSession.OnnxValueMapType): Promise<Embeddings> {
  const chosen = adapter.embeddings(outputs);
  for (const tensor of Object.values(outputs)) if (!chosen.includes(tensor) && onGpu(tensor)) tensor.dispose();
  if (!chosen.some(onGpu)) return chosen;
  const { Tensor } = configureRuntime();
  // The GPU views are made first: a tensor copied down no longer hands out its buffer.
  const gpu = chosen.map((tensor) =>
    onGpu(tensor) ? Tensor.fromGpuBuffer(tensor.gpuBuffer, { dataType: tensor.type as 'float32', dims: tensor.dims, dispose: () => tensor.dispose() }) : tensor,
  ) as Embeddings;
  const cpu = (await Promise.all(chosen.map(async (tensor) => (onGpu(tensor) ? new Tensor(tensor.type, await tensor.getData(), tensor.dims) : tensor)))) as Embeddings;
  keep({ cpu, gpu });
  counters.embeddingsKeptOnDevice++;
  return cpu;
}

/** The tensors to feed the decoder for these embeddings: on WebGPU, GPU buffers (uploaded once when not resident). */
export async function embeddingsForDecoder(cpu: Embeddings): Promise<Embeddings> {
  await warming;
  return onDevice(cpu);
}

async function onDevice(cpu: Embeddings): Promise<Embeddings> {
  if (EXECUTION_PROVIDER !== 'webgpu') return cpu;
  if (resident?.cpu === cpu) return resident.gpu;
  const ortModule = configureRuntime();
  const device = (await (ortModule.env.webgpu?.device as unknown)) as GpuDeviceLike | undefined;
  if (!device || typeof device.createBuffer !== 'function') return cpu;
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
  keep({ cpu, gpu });
  counters.embeddingUploads++;
  return gpu;
}

/** Waits for the decoder warm-up, if one is running (before any other session run). */
export const sessionsIdle = (): Promise<void> => warming;

/**
 * After an encode on WebGPU: the decoder's first run (its shader compilation) happens now, in the
 * background, with one point at the image's centre; its result is dropped. Once per decoder session.
 */
export function warmUpDecoder(
  model: { decoder: ort.InferenceSession; adapter: ContractAdapter },
  embeddings: Embeddings,
  width: number,
  height: number,
) {
  if (EXECUTION_PROVIDER !== 'webgpu' || warmedDecoders.has(model.decoder)) return;
  warmedDecoders.add(model.decoder);
  warming = warming.then(async () => {
    try {
      const prompts = { points: [{ x: width / 2, y: height / 2, label: 1 as const }], box: null };
      const feeds = model.adapter.decoderFeeds(await onDevice(embeddings), prompts, width, height, null);
      for (const name of Object.keys(feeds)) if (!model.decoder.inputNames.includes(name)) delete feeds[name];
      await model.decoder.run(feeds);
      counters.decoderWarmUps++;
    } catch {
      // A failing decoder is reported by the first real click.
    }
  });
}

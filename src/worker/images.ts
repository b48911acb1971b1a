/**
 * What the worker holds per image handle (`imageKey`): the input prepared ahead of its encode,
 * and once encoded, its size, embeddings, the source kept to draw cut-outs, and its objects'
 * kept results (objects.ts).
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import { MODEL_SIZE } from '../geometry/model-frame.js';
import { contentIdentity } from './embedding-cache.js';
import type { ImageEmbeddings } from './gpu-embeddings.js';
import { gpuModelInput } from './gpu-preprocess.js';
import { decodeImage, fetchImage, toModelInput } from './preprocess.js';
import { EXECUTION_PROVIDER, configureRuntime } from './runtime.js';
import type { ObjectStates } from './objects.js';
import type { PrepareImageRequest, WorkerImageSource } from './protocol.js';

export interface EncodedImage {
  modelKey: string;
  width: number;
  height: number;
  /** On WebGPU right after an encode, its CPU copy is still on its way (the GPU copy is resident). */
  embeddings: ImageEmbeddings;
  /** Kept to draw cut-outs: URLs/Blobs are decoded again on demand, pixel sources kept. */
  source: WorkerImageSource;
  /** Each object's last result, by object id. */
  objects: ObjectStates;
}

export interface PreparedInput {
  /**
   * The CPU-made encoder input; null on the WebGPU worker, where it is made at encode time
   * (encoderInput: on the GPU when the device exists and the image fits a texture).
   */
  input: Float32Array | null;
  width: number;
  height: number;
  /** The decoded image, kept for cut-outs and image-guided edges (no second decode). */
  bitmap: ImageBitmap | null;
  decodeMs: number;
  preprocessMs: number;
  /** Hash identity of the image's encoded bytes (when asked for): what both embedding caches key on. */
  contentId: string | null;
}

const images = new Map<string, EncodedImage>();
/**
 * Handles the page has released. A handle is never used again once released, so an encode that
 * was already running when its release came (or was queued without being cancelled) keeps
 * nothing when it finishes.
 */
const released = new Set<string>();
/** Inputs prepared ahead of their encode, by imageKey. */
const preparedInputs = new Map<string, Promise<PreparedInput>>();

export const getImage = (key: string): EncodedImage | undefined => images.get(key);
export const imagesHeld = (): number => images.size;

/** The image of a handle, or `not-ready` when it was released (or never encoded). */
export function requireImage(key: string): EncodedImage {
  const image = images.get(key);
  if (!image) throw new Sam2Error('not-ready', 'The image is no longer held by the worker');
  return image;
}

/** Holds a freshly encoded image under its handle; it starts with no objects. */
export function setImage(key: string, image: Omit<EncodedImage, 'objects'>) {
  if (released.has(key)) {
    if (image.source.kind === 'bitmap') image.source.bitmap.close();
    return;
  }
  images.set(key, { ...image, objects: new Map() });
}

/** The image's pixels at natural size (the caller closes it unless it is the kept bitmap). */
export async function imageBitmap(image: EncodedImage): Promise<{ bitmap: ImageBitmap; release(): void }> {
  if (image.source.kind === 'bitmap') return { bitmap: image.source.bitmap, release() {} };
  const bitmap = await decodeImage(image.source);
  return { bitmap, release: () => bitmap.close() };
}

/** An image's encoded bytes, fetched once: a URL's answer, or the Blob itself. */
export interface SourceBytes {
  blob: Blob | null;
  /** Only when asked for. */
  contentId: string | null;
}

/**
 * The bytes behind a source, and with `identify` their hash. A URL is fetched here (not inside
 * decodeImage) so that its bytes are hashed beside the decode: embeddings are keyed by what the
 * URL answers now, never by the URL (the file behind `photo.jpg` may have changed).
 */
export async function sourceBytes(source: WorkerImageSource, identify: boolean): Promise<SourceBytes> {
  const blob = source.kind === 'url' ? await fetchImage(source.url) : source.kind === 'blob' ? source.blob : null;
  return { blob, contentId: blob && identify ? await contentIdentity(blob).catch(() => null) : null };
}

/**
 * Decode, from bytes already fetched when given, with `identify` the bytes' hash beside it; on the
 * WASM worker also resize + normalise. On WebGPU the resize waits for the encode, where the GPU
 * does it (encoderInput: the device may not exist yet while the model loads).
 */
export async function prepareInput(source: WorkerImageSource, identify: boolean, fetched?: SourceBytes): Promise<PreparedInput> {
  const t0 = performance.now();
  let bytes = fetched;
  let bitmap: ImageBitmap;
  if (bytes) {
    bitmap = await decodeFetched(source, bytes);
  } else if (source.kind === 'url' || source.kind === 'blob') {
    const blob = source.kind === 'url' ? await fetchImage(source.url) : source.blob;
    const [decoded, contentId] = await Promise.all([
      decodeFetched(source, { blob, contentId: null }),
      identify ? contentIdentity(blob).catch(() => null) : null,
    ]);
    bitmap = decoded;
    bytes = { blob, contentId };
  } else {
    bitmap = await decodeImage(source);
  }
  const t1 = performance.now();
  try {
    const input = EXECUTION_PROVIDER === 'webgpu' ? null : toModelInput(bitmap);
    return {
      input,
      width: bitmap.width,
      height: bitmap.height,
      // Kept for every source: cut-outs and `edges="image"` read these pixels, never a second decode.
      bitmap,
      decodeMs: t1 - t0,
      preprocessMs: performance.now() - t1,
      contentId: bytes?.contentId ?? null,
    };
  } catch (error) {
    if (source.kind === 'url' || source.kind === 'blob') bitmap.close();
    throw error;
  }
}

/** The encoder's input tensor; `release()` once the encoder run that reads it has resolved. */
export interface EncoderInput {
  tensor: ort.Tensor;
  /** Resize + normalise time: the CPU's, or on the GPU path the worker's upload + dispatch time. */
  preprocessMs: number;
  release(): void;
}

/**
 * The encoder input of a prepared image: the CPU's when it was made ahead (WASM worker); on
 * WebGPU made on the GPU (gpu-preprocess.ts), or on the CPU when there is no device or the image
 * is larger than a texture may be.
 */
export async function encoderInput(prepared: PreparedInput): Promise<EncoderInput> {
  const { Tensor } = configureRuntime();
  const dims = [1, 3, MODEL_SIZE, MODEL_SIZE];
  if (prepared.input) return { tensor: new Tensor('float32', prepared.input, dims), preprocessMs: prepared.preprocessMs, release() {} };
  if (!prepared.bitmap) throw new Sam2Error('encode-failed', 'The image was not decoded');
  const gpu = await gpuModelInput(prepared.bitmap);
  if (gpu) return { tensor: gpu.tensor, preprocessMs: gpu.dispatchMs, release: gpu.release };
  const t0 = performance.now();
  const input = toModelInput(prepared.bitmap);
  return { tensor: new Tensor('float32', input, dims), preprocessMs: performance.now() - t0, release() {} };
}

/** Decodes fetched bytes; errors name the URL they came from. */
const decodeFetched = (source: WorkerImageSource, bytes: SourceBytes) =>
  bytes.blob ? decodeImage({ kind: 'blob', blob: bytes.blob }, undefined, source.kind === 'url' ? source.url : 'blob') : decodeImage(source);

export async function handlePrepareImage(request: PrepareImageRequest) {
  const pending = prepareInput(request.source, (request.embeddingCache ?? 'disk') !== 'none');
  preparedInputs.set(request.imageKey, pending);
  // A failure is reported by the encode that uses it, not twice.
  const { width, height } = await pending.catch(() => ({ width: 0, height: 0 }));
  return { width, height };
}

/** The input prepared ahead for this handle, if any; the caller owns it from now on. */
export function takePreparedInput(key: string): Promise<PreparedInput> | undefined {
  const prepared = preparedInputs.get(key);
  preparedInputs.delete(key);
  return prepared;
}

/** The page let the handle go (`release-image`): forgotten now, and never held again. */
export function releaseHandle(key: string) {
  released.add(key);
  releaseImage(key);
}

/** Forgets what a handle holds (an encode about to replace it, or the page's release). */
export function releaseImage(key: string) {
  void preparedInputs.get(key)?.then((p) => p.bitmap?.close(), () => {});
  preparedInputs.delete(key);
  const image = images.get(key);
  if (image?.source.kind === 'bitmap') image.source.bitmap.close();
  images.delete(key);
}

/** Forgets every image (the GPU device that held their embeddings is gone). */
export function forgetImages() {
  images.clear();
}

/**
 * The inference worker: one per page, shared by every <sam2-segmenter>. It owns the onnxruntime
 * sessions (one encoder + one decoder per model, created once), the image embeddings, and the
 * mask post-processing, so the main thread only ever receives finished natural-size masks.
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import { LOW_RES_SIZE, MODEL_SIZE } from '../geometry/model-frame.js';
import type { ResolvedManifest } from '../model/manifest.js';
import { loadModelFiles, type ModelFiles } from '../model/model-loader.js';
import { clearCached, entryName, listCached } from '../model/model-cache.js';
import { getStore, setStorageFault } from '../model/open-store.js';
import { upsampleLogitsToMaskWithStats } from '../mask/upsample.js';
import { cleanupLogits } from '../mask/cleanup.js';
import { maskToPolygons } from '../mask/polygons.js';
import { cocoArea, cocoBbox, encodeCocoRle } from '../mask/rle.js';
import { cutoutImage, maskImage } from './exporters.js';
import { EmbeddingCache, contentIdentity, imageIdentity } from './embedding-cache.js';
import { EmbeddingStore } from './embedding-store.js';
import type { ProgressDetail } from '../events.js';
import { contractAdapter, type ContractAdapter, type Embeddings } from './contracts.js';
import { decodeImage, fetchImage, toModelInput } from './preprocess.js';
import { runtimeWarmUpState, warmUpRuntime } from './runtime-warmup.js';
import { EXECUTION_PROVIDER, checkBackend, configureRuntime, createSession, wasmThreads } from './runtime.js';
import {
  WORKER_NAME,
  type ClientMessage,
  type DecodePreview,
  type DecodeRequest,
  type DecodeResult,
  type EncodeRequest,
  type EncodeResult,
  type ExportImageRequest,
  type PrepareImageRequest,
  type MaskCleanup,
  type WorkerImageSource,
  type LoadModelRequest,
  type LoadModelResult,
  type MaskPayload,
  type RenderRequest,
  type WorkerMessage,
  type WorkerRequest,
} from './protocol.js';

interface LoadedModel {
  encoder: ort.InferenceSession;
  decoder: ort.InferenceSession;
  adapter: ContractAdapter;
  result: LoadModelResult;
}

interface EncodedImage {
  modelKey: string;
  width: number;
  height: number;
  embeddings: Embeddings;
  /** Kept to draw cut-outs: URLs/Blobs are decoded again on demand, pixel sources kept. */
  source: WorkerImageSource;
}

type Reply = (message: WorkerMessage, transfer?: Transferable[]) => void;
type ProgressSink = (detail: ProgressDetail) => void;
interface LoadListener {
  progress: ProgressSink;
  warning(warning: Sam2Error): void;
}

const models = new Map<string, Promise<LoadedModel>>();
const images = new Map<string, EncodedImage>();
/** Listeners of every request waiting on a model load (several elements may share one). */
const loadListeners = new Map<string, Set<LoadListener>>();
const cancelled = new Set<number>();
const counters = {
  sessionsCreated: 0,
  modelsLoaded: 0,
  imagesEncoded: 0,
  embeddingCacheHits: 0,
  embeddingDiskHits: 0,
  encodesPreparedAhead: 0,
  decodes: 0,
  modelBytesFromNetwork: 0,
  modelBytesFromCache: 0,
};
const embeddingCache = new EmbeddingCache();
let embeddingStore: EmbeddingStore | null = null;
/** Embeddings on disk, by model + backend (an EP's numerics are its own) + the image's bytes. */
const diskEmbeddings = () => (embeddingStore ??= new EmbeddingStore(configureRuntime().Tensor));
const diskModelKey = (modelKey: string) => `${EXECUTION_PROVIDER}:${modelKey}`;

// ---------------------------------------------------------------------------------------------
// Model loading

async function fetchModel(manifest: ResolvedManifest, emit: ProgressSink, warn: (w: Sam2Error) => void): Promise<ModelFiles> {
  const { store, problem } = await getStore();
  const files = await loadModelFiles(manifest, { store, storeProblem: problem, onProgress: emit, onWarning: warn });
  counters.modelBytesFromNetwork += files.networkBytes;
  counters.modelBytesFromCache += files.cacheBytes;
  return files;
}

async function createSessions(files: ModelFiles, emit: ProgressSink) {
  emit({ phase: 'compile', loaded: 0, total: 2, fraction: 0 });
  const encoder = await createSession(files.encoder.model, 'encoder', files.encoder.externalData);
  counters.sessionsCreated++;
  emit({ phase: 'compile', loaded: 1, total: 2, fraction: 0.5 });
  const decoder = await createSession(files.decoder.model, 'decoder', files.decoder.externalData).catch(async (error) => {
    await encoder.release();
    throw error;
  });
  counters.sessionsCreated++;
  emit({ phase: 'compile', loaded: 2, total: 2, fraction: 1 });
  return { encoder, decoder };
}

async function loadModel(manifest: ResolvedManifest): Promise<LoadedModel> {
  const ortModule = configureRuntime();
  const listeners = () => loadListeners.get(manifest.key) ?? [];
  const emit = (detail: ProgressDetail) => listeners().forEach((listener) => listener.progress(detail));
  const warn = (warning: Sam2Error) => listeners().forEach((listener) => listener.warning(warning));
  // onnxruntime starts up while the manifest, lock and bytes are fetched (it would otherwise wait
  // for the last byte). Its start is partly synchronous on this thread, so the gain is what
  // overlaps: wasm compilation and the waits of the load (bench/NOTES.md, runs d and e).
  const runtimeReady = warmUpRuntime();
  let files = await fetchModel(manifest, emit, warn);
  await runtimeReady;
  let sessions: Awaited<ReturnType<typeof createSessions>>;
  try {
    sessions = await createSessions(files, emit);
  } catch (error) {
    // Cached bytes were verified when stored, but a disk can still hand back garbage: a cached
    // model onnxruntime refuses is dropped and downloaded once more before giving up.
    if (files.source !== 'cache' || Sam2Error.from(error).code !== 'model-contract') throw error;
    const { store } = await getStore();
    await store.remove(entryName(manifest.key)).catch(() => {});
    files = await fetchModel(manifest, emit, warn);
    sessions = await createSessions(files, emit);
  }
  const { encoder, decoder } = sessions;
  const adapter = contractAdapter(manifest.contract, ortModule);
  try {
    adapter.check(encoder, decoder);
  } catch (error) {
    await Promise.allSettled([encoder.release(), decoder.release()]);
    throw error;
  }
  counters.modelsLoaded++;
  watchGpuDevice(ortModule);
  return { encoder, decoder, adapter, result: { source: files.source, backend: EXECUTION_PROVIDER, threads: wasmThreads() } };
}

async function handleLoadModel(request: LoadModelRequest, listener: LoadListener): Promise<LoadModelResult> {
  await checkBackend();
  const { key } = request.manifest;
  let listeners = loadListeners.get(key);
  if (!listeners) loadListeners.set(key, (listeners = new Set()));
  listeners.add(listener);
  let pending = models.get(key);
  const shared = pending !== undefined;
  if (!pending) {
    pending = loadModel(request.manifest);
    models.set(key, pending);
    // A failed load is forgotten so that the next attempt starts over.
    pending.catch(() => models.delete(key));
  }
  try {
    const model = await pending;
    // A second element asking for an already-loaded model reads it from this worker's memory.
    return shared ? { ...model.result, source: 'cache' } : model.result;
  } finally {
    listeners.delete(listener);
  }
}

async function getModel(key: string): Promise<LoadedModel> {
  const model = models.get(key);
  if (!model) throw new Sam2Error('not-ready', 'The model is not loaded in the worker');
  return model;
}

// ---------------------------------------------------------------------------------------------
// WebGPU device loss

interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}
/** onnxruntime's device; typed as a Promise, but some builds hand back the device itself. */
const gpuDevice = async (ortModule: typeof ort): Promise<GpuDeviceLike | null> => {
  const device = (await (ortModule.env.webgpu?.device as unknown)) as GpuDeviceLike | undefined;
  return device && typeof device.destroy === 'function' ? device : null;
};

/** Set once the GPU device is gone: every later request fails with it (the page moves to WASM). */
let deviceLost: Sam2Error | null = null;
let watchingDevice = false;
/** Posts an unsolicited message to the page (set by the message loop below). */
let notifyPage: ((message: WorkerMessage) => void) | null = null;

/**
 * A lost device (driver reset, GPU process crash, another tab's hang) takes every session and
 * GPU buffer of this worker with it. The page is told at once, not at the next click.
 */
function watchGpuDevice(ortModule: typeof ort) {
  if (EXECUTION_PROVIDER !== 'webgpu' || watchingDevice) return;
  watchingDevice = true;
  void gpuDevice(ortModule)
    .then((device) => device?.lost ?? new Promise<never>(() => {}))
    .then((info) => {
      deviceLost = new Sam2Error('backend-lost', `The WebGPU device was lost (${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}); continuing on WASM`);
      models.clear();
      images.clear();
      notifyPage?.({ id: 0, deviceLost: deviceLost.toJSON() });
    }, () => {});
}

async function handleLoseDevice() {
  if (EXECUTION_PROVIDER !== 'webgpu') throw new Sam2Error('invalid-argument', 'Only the WebGPU worker has a GPU device to lose');
  const device = await gpuDevice(configureRuntime());
  if (!device) throw new Sam2Error('not-ready', 'onnxruntime has no GPU device yet (no model loaded on WebGPU)');
  device.destroy();
}

// ---------------------------------------------------------------------------------------------
// Encode / decode

interface PreparedInput {
  input: Float32Array;
  width: number;
  height: number;
  /** Kept for cut-outs when the page handed over pixels (they can't be fetched again). */
  bitmap: ImageBitmap | null;
  decodeMs: number;
  preprocessMs: number;
  /** Hash identity of a URL's bytes (when asked for), the disk cache's key. */
  contentId: string | null;
}

/** Inputs prepared ahead of their encode, by imageKey. */
const preparedInputs = new Map<string, Promise<PreparedInput>>();

/**
 * Decode + resize + normalise. With `hashUrl`, a URL is fetched here (not inside decodeImage) so
 * its bytes are hashed beside the decode; a Blob's hash is its memory-cache identity already.
 */
async function prepareInput(source: WorkerImageSource, hashUrl: boolean): Promise<PreparedInput> {
  const t0 = performance.now();
  const url = hashUrl && source.kind === 'url' ? source.url : null;
  const fetched = url ? await fetchImage(url) : null;
  const [bitmap, contentId] = await Promise.all([
    fetched ? decodeImage({ kind: 'blob', blob: fetched }, undefined, url!) : decodeImage(source),
    fetched ? contentIdentity(fetched).catch(() => null) : null,
  ]);
  const t1 = performance.now();
  const keep = source.kind === 'bitmap' || source.kind === 'image-data';
  try {
    const input = toModelInput(bitmap);
    return { input, width: bitmap.width, height: bitmap.height, bitmap: keep ? bitmap : null, decodeMs: t1 - t0, preprocessMs: performance.now() - t1, contentId };
  } finally {
    if (!keep) bitmap.close();
  }
}

async function handlePrepareImage(request: PrepareImageRequest) {
  const pending = prepareInput(request.source, (request.embeddingCache ?? 'disk') === 'disk');
  preparedInputs.set(request.imageKey, pending);
  // A failure is reported by the encode that uses it, not twice.
  const { width, height } = await pending.catch(() => ({ width: 0, height: 0 }));
  return { width, height };
}

async function handleEncode(request: EncodeRequest, progress: ProgressSink): Promise<EncodeResult> {
  const model = await getModel(request.modelKey);
  const prepared = preparedInputs.get(request.imageKey);
  preparedInputs.delete(request.imageKey);
  releaseImage(request.imageKey);
  const mode = request.embeddingCache ?? 'disk';
  const identity = mode === 'none' ? null : await imageIdentity(request.source).catch(() => null);
  const cacheKey = identity && `${request.modelKey}|${identity}`;
  const cached = cacheKey ? embeddingCache.get(cacheKey) : undefined;
  if (cached) {
    void prepared?.then((p) => p.bitmap?.close(), () => {});
    images.set(request.imageKey, { modelKey: request.modelKey, ...cached, source: request.source });
    counters.embeddingCacheHits++;
    progress({ phase: 'encode', loaded: 1, total: 1, fraction: 1 });
    return { width: cached.width, height: cached.height, timings: { decode: 0, preprocess: 0, encoder: 0 } };
  }
  // Use the input prepared while the model loaded, or prepare it now (a failed preparation is
  // retried once here, so its error is the one reported).
  const ahead = prepared && (await prepared.catch(() => null));
  if (ahead) counters.encodesPreparedAhead++;
  const input = ahead ?? (await prepareInput(request.source, mode === 'disk'));
  const { width, height } = input;
  progress({ phase: 'encode', loaded: 0, total: 1, fraction: 0 });
  const diskId = mode !== 'disk' ? null : request.source.kind === 'blob' ? identity : input.contentId;
  const stored = diskId ? await diskEmbeddings().get(diskModelKey(request.modelKey), diskId) : null;
  if (stored && stored.width === width && stored.height === height) {
    const source: WorkerImageSource = input.bitmap ? { kind: 'bitmap', bitmap: input.bitmap } : request.source;
    images.set(request.imageKey, { modelKey: request.modelKey, ...stored, source });
    if (cacheKey) embeddingCache.set(cacheKey, stored);
    counters.embeddingDiskHits++;
    progress({ phase: 'encode', loaded: 1, total: 1, fraction: 1 });
    return { width, height, timings: { decode: input.decodeMs, preprocess: input.preprocessMs, encoder: 0 } };
  }
  const { Tensor } = configureRuntime();
  const t2 = performance.now();
  let outputs: ort.InferenceSession.OnnxValueMapType;
  try {
    outputs = await model.encoder.run(model.adapter.encoderFeeds(new Tensor('float32', input.input, [1, 3, MODEL_SIZE, MODEL_SIZE])));
  } catch (cause) {
    input.bitmap?.close();
    throw new Sam2Error('encode-failed', `The encoder failed: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
  const embeddings = model.adapter.embeddings(outputs);
  const source: WorkerImageSource = input.bitmap ? { kind: 'bitmap', bitmap: input.bitmap } : request.source;
  images.set(request.imageKey, { modelKey: request.modelKey, width, height, embeddings, source });
  if (cacheKey) embeddingCache.set(cacheKey, { width, height, embeddings });
  // Written after the reply is on its way; a full disk only means no revisit shortcut.
  if (diskId) void diskEmbeddings().put(diskModelKey(request.modelKey), diskId, { width, height, embeddings });
  counters.imagesEncoded++;
  progress({ phase: 'encode', loaded: 1, total: 1, fraction: 1 });
  return { width, height, timings: { decode: input.decodeMs, preprocess: input.preprocessMs, encoder: performance.now() - t2 } };
}

/** SAM 2's optional post-processing of the chosen candidate, on a copy (refinement needs the raw logits). */
function cleanedLogits(logits: Float32Array, threshold: number, cleanup?: MaskCleanup): Float32Array {
  if (!cleanup || (cleanup.maxHoleArea <= 0 && cleanup.maxSprinkleArea <= 0)) return logits;
  // Official post-processing works on the low-res logits (areas in 256-grid cells).
  return cleanupLogits(logits.slice(), LOW_RES_SIZE, LOW_RES_SIZE, { ...cleanup, threshold });
}

function renderMask(logits: Float32Array, width: number, height: number, threshold: number, cleanup?: MaskCleanup): MaskPayload {
  return maskAt(cleanedLogits(logits, threshold, cleanup), width, height, threshold);
}

/** The thresholded mask at a size, with its area and bounding box measured while it is written. */
function maskAt(logits: Float32Array, width: number, height: number, threshold: number): MaskPayload {
  const { data, area, bbox } = upsampleLogitsToMaskWithStats(logits, LOW_RES_SIZE, LOW_RES_SIZE, width, height, threshold);
  return { data, width, height, bbox: bbox ?? { x: 0, y: 0, width: 0, height: 0 }, area };
}

async function handleDecode(request: DecodeRequest, sendPartial: (value: DecodePreview) => void): Promise<DecodeResult> {
  const image = images.get(request.imageKey);
  if (!image || image.modelKey !== request.modelKey) {
    throw new Sam2Error('not-ready', 'The image is not encoded for this model yet');
  }
  const model = await getModel(request.modelKey);
  const feeds = model.adapter.decoderFeeds(
    image.embeddings,
    request.prompts,
    image.width,
    image.height,
    model.adapter.refines ? request.maskInput : null,
  );
  for (const name of Object.keys(feeds)) if (!model.decoder.inputNames.includes(name)) delete feeds[name];
  const t0 = performance.now();
  let outputs: ort.InferenceSession.OnnxValueMapType;
  try {
    outputs = await model.decoder.run(feeds);
  } catch (cause) {
    throw new Sam2Error('decode-failed', `The decoder failed: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
  counters.decodes++;
  const t1 = performance.now();
  const { logits, scores } = model.adapter.decoderOutput(outputs);
  const best = scores.reduce((bestIndex, score, i) => (score > scores[bestIndex] ? i : bestIndex), 0);
  const maskIndex = request.maskIndex !== null && request.maskIndex < scores.length ? request.maskIndex : best;
  const plane = LOW_RES_SIZE * LOW_RES_SIZE;
  const chosen = cleanedLogits(logits.subarray(maskIndex * plane, (maskIndex + 1) * plane), request.threshold, request.cleanup);
  const previewSize = usefulPreviewSize(request.preview, image);
  let mask: MaskPayload;
  if (previewSize && request.previewOnly) {
    mask = maskAt(chosen, previewSize.width, previewSize.height, request.threshold);
  } else {
    if (previewSize) {
      // Display-size work (a few ms) that lets the page paint before the natural-size mask exists.
      const { data, width, height } = maskAt(chosen, previewSize.width, previewSize.height, request.threshold);
      sendPartial({ data, width, height, maskIndex });
    }
    mask = maskAt(chosen, image.width, image.height, request.threshold);
  }
  const lowResLogits = logits.slice();
  return { ...mask, scores, maskIndex, lowResLogits, timings: { decoder: t1 - t0, postprocess: performance.now() - t1 } };
}

/** A preview size worth computing: positive, and smaller than the image itself. */
function usefulPreviewSize(preview: DecodeRequest['preview'], image: { width: number; height: number }) {
  if (!preview) return null;
  const width = Math.min(image.width, Math.max(1, Math.round(preview.width)));
  const height = Math.min(image.height, Math.max(1, Math.round(preview.height)));
  if (!Number.isFinite(width) || !Number.isFinite(height) || width * height >= image.width * image.height) return null;
  return { width, height };
}

function handleRender(request: RenderRequest): MaskPayload {
  return renderMask(request.logits, request.width, request.height, request.threshold, request.cleanup);
}

async function handleExportImage(request: ExportImageRequest): Promise<Blob> {
  const image = images.get(request.imageKey);
  const { mask } = request;
  if (mask.data.length !== mask.width * mask.height) throw new Sam2Error('invalid-argument', 'The mask data does not match its size');
  const options = { type: request.format, quality: request.quality, crop: request.crop, feather: request.feather };
  if (request.kind === 'mask') return maskImage(mask, options);
  if (!image) throw new Sam2Error('not-ready', 'The image is no longer held by the worker');
  const bitmap = image.source.kind === 'bitmap' ? image.source.bitmap : await decodeImage(image.source);
  try {
    if (bitmap.width !== mask.width || bitmap.height !== mask.height) {
      throw new Sam2Error('invalid-argument', `The mask is ${mask.width}x${mask.height}, the image ${bitmap.width}x${bitmap.height}`);
    }
    return await cutoutImage(bitmap, mask, options);
  } finally {
    if (image.source.kind !== 'bitmap') bitmap.close();
  }
}

function releaseImage(key: string) {
  void preparedInputs.get(key)?.then((p) => p.bitmap?.close(), () => {});
  preparedInputs.delete(key);
  const image = images.get(key);
  if (image?.source.kind === 'bitmap') image.source.bitmap.close();
  images.delete(key);
}

// ---------------------------------------------------------------------------------------------
// Message loop

function transferablesOf(value: unknown): Transferable[] {
  if (typeof value !== 'object' || value === null) return [];
  const out: Transferable[] = [];
  for (const field of Object.values(value)) {
    if (ArrayBuffer.isView(field) && field.buffer instanceof ArrayBuffer) out.push(field.buffer);
  }
  return out;
}

async function handle(id: number, request: WorkerRequest, reply: Reply): Promise<void> {
  const progress: ProgressSink = (detail) => reply({ id, progress: detail });
  try {
    if (deviceLost) throw deviceLost;
    let value: unknown;
    switch (request.type) {
      case 'load-model':
        value = await handleLoadModel(request, { progress, warning: (w) => reply({ id, warning: w.toJSON() }) });
        break;
      case 'list-cache':
        value = await listCached((await getStore()).store);
        break;
      case 'clear-cache': {
        const removed = await clearCached((await getStore()).store, request.match);
        // Stored image embeddings go with their model (all of them when clearing everything).
        await diskEmbeddings().clear(request.match === undefined ? undefined : removed.map((m) => diskModelKey(m.key)));
        value = removed;
        break;
      }
      case 'storage-fault':
        setStorageFault(request.fault);
        break;
      case 'encode':
        value = await handleEncode(request, progress);
        break;
      case 'decode':
        if (cancelled.delete(id)) throw new Sam2Error('aborted', 'Superseded by a newer request');
        value = await handleDecode(request, (partial) => reply({ id, partial }, transferablesOf(partial)));
        break;
      case 'render':
        value = handleRender(request);
        break;
      case 'release-image':
        releaseImage(request.imageKey);
        break;
      case 'export-image':
        value = await handleExportImage(request);
        break;
      case 'polygons':
        value = maskToPolygons(request.mask, { tolerance: request.tolerance });
        break;
      case 'coco-rle': {
        const rle = encodeCocoRle(request.mask);
        value = { ...rle, area: cocoArea(rle), bbox: cocoBbox(request.mask) };
        break;
      }
      case 'lose-device':
        await handleLoseDevice();
        break;
      case 'crash':
        setTimeout(() => {
          throw new Error('sam2-segmenter worker: crash requested');
        });
        return;
      case 'prepare-image':
        value = await handlePrepareImage(request);
        break;
      case 'stats':
        value = { ...counters, imagesHeld: images.size, threads: wasmThreads(), runtimeWarmUp: runtimeWarmUpState() };
        break;
    }
    reply({ id, ok: true, value }, transferablesOf(value));
  } catch (error) {
    const fallback = request.type === 'encode' ? 'encode-failed' : request.type === 'load-model' ? 'model-fetch-failed' : 'decode-failed';
    reply({ id, ok: false, error: Sam2Error.from(error, fallback).toJSON() });
  } finally {
    cancelled.delete(id);
  }
}

// Requests run one after another: ORT sessions are not re-entrant, and sequential order is
// what makes "latest request wins" cheap (a cancelled decode still in the queue is skipped).
let queue: Promise<void> = Promise.resolve();

// onnxruntime's Emscripten runtime starts its pthreads from this same script; they must not
// run the application's message handler.
if (self.name !== 'em-pthread') {
  // Typed by hand: the DOM and WebWorker libs can't both be in one tsconfig.
  const scope = self as unknown as {
    name: string;
    postMessage(message: unknown, transfer: Transferable[]): void;
    addEventListener(type: 'message', listener: (event: MessageEvent<ClientMessage>) => void): void;
  };
  if (scope.name && scope.name !== WORKER_NAME) console.warn(`sam2-segmenter worker started as "${scope.name}"`);
  const reply: Reply = (message, transfer = []) => scope.postMessage(message, transfer);
  notifyPage = (message) => scope.postMessage(message, []);
  scope.addEventListener('message', (event) => {
    const message = event.data;
    if ('cancel' in message) {
      cancelled.add(message.id);
      return;
    }
    // Model loads run concurrently with other work (they mostly wait on the network).
    if (message.request.type !== 'encode' && message.request.type !== 'decode' && message.request.type !== 'render') {
      void handle(message.id, message.request, reply);
      return;
    }
    queue = queue.then(() => handle(message.id, message.request, reply));
  });
}

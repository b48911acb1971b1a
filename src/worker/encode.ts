/**
 * The encode request: image → embeddings, answered from the memory cache, the disk cache or the
 * encoder, in that order; the result is held under the request's image handle.
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import { JobProgress } from '../model/progress.js';
import { EmbeddingCache } from './embedding-cache.js';
import { EmbeddingStore } from './embedding-store.js';
import { encoderInput, prepareInput, releaseImage, setImage, sourceBytes, takePreparedInput } from './images.js';
import { cpuEmbeddings, embeddingsFromEncoder, sessionsIdle, warmUpDecoder, type ImageEmbeddings } from './gpu-embeddings.js';
import { getModel, type ProgressSink } from './models.js';
import type { EncodeRequest, EncodeResult, WorkerImageSource } from './protocol.js';
import { EXECUTION_PROVIDER, configureRuntime } from './runtime.js';
import { counters } from './stats.js';

/** Holds an image's embeddings handle once its CPU copy has landed (a revisit reuses resident GPU buffers). */
const embeddingCache = new EmbeddingCache<ImageEmbeddings>();
let embeddingStore: EmbeddingStore | null = null;
/** Embeddings on disk, by model + backend (an EP's numerics are its own) + the image's bytes. */
export const diskEmbeddings = () => (embeddingStore ??= new EmbeddingStore(configureRuntime().Tensor));
/** Stored embeddings refused on read since the worker started (bytes changed since written). */
export const embeddingsRejected = () => embeddingStore?.rejected ?? 0;
/** Re-open the store from its next use (the storage-fault test hook changed what it finds). */
export function reopenDiskEmbeddings() {
  embeddingStore = null;
}
export const diskModelKey = (modelKey: string) => `${EXECUTION_PROVIDER}:${modelKey}`;

export async function handleEncode(request: EncodeRequest, progress: ProgressSink): Promise<EncodeResult> {
  const model = await getModel(request.modelKey);
  const prepared = takePreparedInput(request.imageKey);
  releaseImage(request.imageKey);
  // Each image's encode is a job of its own: it starts at 0 and ends at 1, cached or not.
  const job = new JobProgress(progress);
  job.phase('encode', 1)({ phase: 'encode', loaded: 0, total: 1, fraction: 0 });
  const done = () => job.finish({ phase: 'encode', loaded: 1, total: 1, fraction: 1 });
  const mode = request.embeddingCache ?? 'disk';
  const identify = mode !== 'none';
  // Use the input prepared while the model loaded (a failed preparation is retried below, so
  // its error is the one reported); else fetch the bytes first: a cached embedding needs no decode.
  const ahead = prepared ? await prepared.catch(() => null) : null;
  if (ahead) counters.encodesPreparedAhead++;
  const fetched = !ahead && identify ? await sourceBytes(request.source, true) : undefined;
  const identity = identify ? (ahead?.contentId ?? fetched?.contentId ?? null) : null;
  const cacheKey = identity && `${request.modelKey}|${identity}`;
  const cached = cacheKey ? embeddingCache.get(cacheKey) : undefined;
  if (cached) {
    // An input prepared ahead is kept as the decoded image (cut-outs, image-guided edges).
    const source: WorkerImageSource = ahead?.bitmap ? { kind: 'bitmap', bitmap: ahead.bitmap } : request.source;
    setImage(request.imageKey, { modelKey: request.modelKey, ...cached, source });
    counters.embeddingCacheHits++;
    done();
    return { width: cached.width, height: cached.height, timings: { decode: 0, preprocess: 0, encoder: 0 } };
  }
  const input = ahead ?? (await prepareInput(request.source, identify, fetched));
  const { width, height } = input;
  const diskId = mode === 'disk' ? identity : null;
  const stored = diskId ? await diskEmbeddings().get(diskModelKey(request.modelKey), diskId) : null;
  if (stored && stored.width === width && stored.height === height) {
    const source: WorkerImageSource = input.bitmap ? { kind: 'bitmap', bitmap: input.bitmap } : request.source;
    const embeddings = cpuEmbeddings(stored.embeddings);
    setImage(request.imageKey, { modelKey: request.modelKey, width, height, embeddings, source });
    if (cacheKey) embeddingCache.set(cacheKey, { width, height, embeddings });
    counters.embeddingDiskHits++;
    done();
    return { width, height, timings: { decode: input.decodeMs, preprocess: input.preprocessMs, encoder: 0 } };
  }
  let t2 = performance.now();
  let preprocessMs = input.preprocessMs;
  let outputs: ort.InferenceSession.OnnxValueMapType;
  let encoded;
  let encoderMs: number;
  try {
    // WebGPU: resized + normalised on the GPU into a buffer leased until the run resolved.
    const feed = await encoderInput(input);
    preprocessMs = feed.preprocessMs;
    t2 = performance.now();
    await sessionsIdle();
    try {
      outputs = await model.encoder.run(model.adapter.encoderFeeds(feed.tensor));
    } finally {
      feed.release();
    }
    // On WebGPU the outputs are GPU buffers: kept there for the decodes; the reply waits for the
    // GPU to finish, not for their copy-down (which feeds the caches when it lands).
    encoded = await embeddingsFromEncoder(model.adapter, outputs);
    encoderMs = performance.now() - t2;
  } catch (cause) {
    input.bitmap?.close();
    if (cause instanceof Sam2Error) throw cause;
    throw new Sam2Error('encode-failed', `The encoder failed: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
  const source: WorkerImageSource = input.bitmap ? { kind: 'bitmap', bitmap: input.bitmap } : request.source;
  const { embeddings, gpuWait, copyDown } = encoded;
  setImage(request.imageKey, { modelKey: request.modelKey, width, height, embeddings, source });
  let replied = false;
  // The caches get the CPU copy when it lands (on WebGPU, after the reply); a failed copy-down
  // (counted in gpu-embeddings.ts) only leaves them empty. A full disk only means no revisit shortcut.
  void embeddings.cpu.then(
    (cpu) => {
      if (copyDown && replied) counters.embeddingCopyDownsAfterReply++;
      if (cacheKey) embeddingCache.set(cacheKey, { width, height, embeddings });
      if (diskId) void diskEmbeddings().put(diskModelKey(request.modelKey), diskId, { width, height, embeddings: cpu });
    },
    () => {},
  );
  counters.imagesEncoded++;
  // WebGPU: the decoder's shaders compile now, not on the first click.
  warmUpDecoder(model, embeddings, width, height);
  done();
  replied = true;
  return { width, height, timings: { decode: input.decodeMs, preprocess: preprocessMs, encoder: encoderMs, gpuWait } };
}

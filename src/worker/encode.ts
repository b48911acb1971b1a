/**
 * The encode request: image → embeddings, answered from the memory cache, the disk cache or the
 * encoder, in that order; the result is held under the request's image handle.
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import { MODEL_SIZE } from '../geometry/model-frame.js';
import { EmbeddingCache, imageIdentity } from './embedding-cache.js';
import { EmbeddingStore } from './embedding-store.js';
import { releaseImage, setImage, takePreparedInput, prepareInput } from './images.js';
import { getModel, type ProgressSink } from './models.js';
import type { EncodeRequest, EncodeResult, WorkerImageSource } from './protocol.js';
import { EXECUTION_PROVIDER, configureRuntime } from './runtime.js';
import { counters } from './stats.js';

const embeddingCache = new EmbeddingCache();
let embeddingStore: EmbeddingStore | null = null;
/** Embeddings on disk, by model + backend (an EP's numerics are its own) + the image's bytes. */
export const diskEmbeddings = () => (embeddingStore ??= new EmbeddingStore(configureRuntime().Tensor));
export const diskModelKey = (modelKey: string) => `${EXECUTION_PROVIDER}:${modelKey}`;

export async function handleEncode(request: EncodeRequest, progress: ProgressSink): Promise<EncodeResult> {
  const model = await getModel(request.modelKey);
  const prepared = takePreparedInput(request.imageKey);
  releaseImage(request.imageKey);
  const mode = request.embeddingCache ?? 'disk';
  const identity = mode === 'none' ? null : await imageIdentity(request.source).catch(() => null);
  const cacheKey = identity && `${request.modelKey}|${identity}`;
  const cached = cacheKey ? embeddingCache.get(cacheKey) : undefined;
  if (cached) {
    void prepared?.then((p) => p.bitmap?.close(), () => {});
    setImage(request.imageKey, { modelKey: request.modelKey, ...cached, source: request.source });
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
    setImage(request.imageKey, { modelKey: request.modelKey, ...stored, source });
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
  setImage(request.imageKey, { modelKey: request.modelKey, width, height, embeddings, source });
  if (cacheKey) embeddingCache.set(cacheKey, { width, height, embeddings });
  // Written after the reply is on its way; a full disk only means no revisit shortcut.
  if (diskId) void diskEmbeddings().put(diskModelKey(request.modelKey), diskId, { width, height, embeddings });
  counters.imagesEncoded++;
  progress({ phase: 'encode', loaded: 1, total: 1, fraction: 1 });
  return { width, height, timings: { decode: input.decodeMs, preprocess: input.preprocessMs, encoder: performance.now() - t2 } };
}

/**
 * Model loading and the session registry: one encoder + one decoder session per model key,
 * created once and shared by every element that asks for the same model.
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import type { ProgressDetail } from '../events.js';
import type { ResolvedManifest } from '../model/manifest.js';
import { loadModelFiles, type ModelFiles } from '../model/model-loader.js';
import { entryName } from '../model/model-cache.js';
import { getStore } from '../model/open-store.js';
import { JobProgress, type PhaseProgress } from '../model/progress.js';
import { contractAdapter, detectContract, type ContractAdapter } from './contracts.js';
import { fixEmptyBoxConcat, type DecoderGraphFix } from '../model/decoder-graph.js';
import { resolveManifest } from '../model/manifest.js';
import { precisionPlan, type PrecisionPair } from '../model/precision.js';
import { presetManifest } from '../model/presets.js';
import { runtimeCapabilities } from './capabilities.js';
import { watchGpuDevice } from './gpu-device.js';
import type { LoadModelRequest, LoadModelResult } from './protocol.js';
import { warmUpRuntime } from './runtime-warmup.js';
import { EXECUTION_PROVIDER, checkBackend, configureRuntime, createSession, threadsInUse } from './runtime.js';
import { counters } from './stats.js';

export interface LoadedModel {
  encoder: ort.InferenceSession;
  decoder: ort.InferenceSession;
  adapter: ContractAdapter;
  result: LoadModelResult;
}

export type ProgressSink = (detail: ProgressDetail) => void;
type PhaseSink = (detail: PhaseProgress) => void;
export interface LoadListener {
  progress: ProgressSink;
  warning(warning: Sam2Error): void;
}

const models = new Map<string, Promise<LoadedModel>>();
/** Listeners of every request waiting on a model load (several elements may share one). */
const loadListeners = new Map<string, Set<LoadListener>>();

async function fetchModel(manifest: ResolvedManifest, emit: PhaseSink, warn: (w: Sam2Error) => void): Promise<ModelFiles> {
  const { store, problem } = await getStore();
  const files = await loadModelFiles(manifest, { store, storeProblem: problem, onProgress: emit, onWarning: warn });
  counters.modelBytesFromNetwork += files.networkBytes;
  counters.modelBytesFromCache += files.cacheBytes;
  counters.modelChunksRepaired += files.repairedChunks;
  return files;
}

async function createSessions(files: ModelFiles, emit: PhaseSink) {
  emit({ phase: 'compile', loaded: 0, total: 2, fraction: 0 });
  const encoder = await createSession(files.encoder.model, 'encoder', files.encoder.externalData);
  counters.sessionsCreated++;
  emit({ phase: 'compile', loaded: 1, total: 2, fraction: 0.5 });
  // The cache keeps the verified original bytes; the rewrite (points-only prompts made exact on
  // onnx-community graphs, model/decoder-graph.ts) is redone on each load, in milliseconds.
  let graph: DecoderGraphFix;
  try {
    graph = fixEmptyBoxConcat(files.decoder.model);
  } catch {
    graph = { bytes: files.decoder.model, rewritten: false }; // onnxruntime reports what is wrong with it
  }
  const decoder = await createSession(graph.bytes, 'decoder', files.decoder.externalData).catch(async (error) => {
    await encoder.release();
    throw error;
  });
  counters.sessionsCreated++;
  emit({ phase: 'compile', loaded: 2, total: 2, fraction: 1 });
  return { encoder, decoder, emptyBoxSafe: graph.rewritten };
}

/** Share of a model load's bar that the download (or the cache read) takes; compiling is the rest. */
const DOWNLOAD_SHARE = 0.8;

const modelBytes = (files: ModelFiles) =>
  [files.encoder, files.decoder].reduce((sum, f) => sum + f.model.byteLength + f.externalData.reduce((s, d) => s + d.data.byteLength, 0), 0);

/**
 * Loads a model at the precision its manifest asks for; a preset's `auto` is resolved for this
 * backend, and a variant whose sessions fail to create (fp16 without `shader-f16`) falls back to
 * fp32 (model/precision.ts).
 */
async function loadModel(requested: ResolvedManifest): Promise<LoadedModel> {
  // Progress goes to the listeners of the key the page asked for, whatever the variant.
  const listeners = () => loadListeners.get(requested.key) ?? [];
  // One job for every element waiting on this load: download (most of the bar), then compile. A
  // fallback variant's download and compile are fitted into what is left, so the bar never goes back.
  const job = new JobProgress((detail) => listeners().forEach((listener) => listener.progress(detail)));
  const warn = (warning: Sam2Error) => listeners().forEach((listener) => listener.warning(warning));
  const preset = requested.preset;
  if (!preset) return loadVariant(requested, job, warn);
  const plan = precisionPlan(preset.precision, await runtimeCapabilities());
  for (let i = 0; ; i++) {
    const manifest = resolvePrecision(requested, plan[i]);
    try {
      return await loadVariant(manifest, job, warn);
    } catch (error) {
      if (i + 1 >= plan.length || Sam2Error.from(error).code !== 'model-contract') throw error;
      console.warn(`sam2-segmenter: the ${plan[i].encoder} model did not load on ${EXECUTION_PROVIDER} (${Sam2Error.from(error).message}); using ${plan[i + 1].encoder}`);
    }
  }
}

/** The preset's manifest at another precision (the requested one when it is the same). */
function resolvePrecision(requested: ResolvedManifest, pair: PrecisionPair): ResolvedManifest {
  const { precision } = requested;
  if (precision.encoder === pair.encoder && precision.decoder === pair.decoder) return requested;
  const { preset, folder, pinned } = requested.preset!;
  return { ...resolveManifest(presetManifest(preset, pair, pinned), folder), preset: requested.preset };
}

/** Downloads (or reads from the cache) and compiles one variant of a model. */
async function loadVariant(manifest: ResolvedManifest, job: JobProgress, warn: (warning: Sam2Error) => void): Promise<LoadedModel> {
  const ortModule = configureRuntime();
  // onnxruntime starts up while the manifest, lock and bytes are fetched (it would otherwise wait
  // for the last byte). Its start is partly synchronous on this thread, so the gain is what
  // overlaps: wasm compilation and the waits of the load (bench/NOTES.md, runs d and e).
  const runtimeReady = warmUpRuntime();
  let files = await fetchModel(manifest, job.phase('download', DOWNLOAD_SHARE), warn);
  await runtimeReady;
  let sessions: Awaited<ReturnType<typeof createSessions>>;
  try {
    sessions = await createSessions(files, job.phase('compile', 1));
  } catch (error) {
    // Cached bytes were verified when stored, but a disk can still hand back garbage: a cached
    // model onnxruntime refuses is dropped and downloaded once more before giving up.
    if (files.source !== 'cache' || Sam2Error.from(error).code !== 'model-contract') throw error;
    const { store } = await getStore();
    await store.remove(entryName(manifest.key)).catch(() => {});
    files = await fetchModel(manifest, job.phase('download', DOWNLOAD_SHARE), warn);
    sessions = await createSessions(files, job.phase('compile', 1));
  }
  const { encoder, decoder } = sessions;
  let adapter: ContractAdapter;
  try {
    adapter = contractAdapter(detectContract(encoder, manifest.contract), ortModule, { emptyBoxSafe: sessions.emptyBoxSafe });
    adapter.check(encoder, decoder);
  } catch (error) {
    await Promise.allSettled([encoder.release(), decoder.release()]);
    throw error;
  }
  counters.modelsLoaded++;
  watchGpuDevice(ortModule);
  const result: LoadModelResult = {
    source: files.source,
    backend: EXECUTION_PROVIDER,
    threads: threadsInUse(),
    precision: manifest.precision.encoder,
    decoderPrecision: manifest.precision.decoder,
    bytes: modelBytes(files),
  };
  return { encoder, decoder, adapter, result };
}

export async function handleLoadModel(request: LoadModelRequest, listener: LoadListener): Promise<LoadModelResult> {
  await checkBackend();
  const { key } = request.manifest;
  let listeners = loadListeners.get(key);
  if (!listeners) loadListeners.set(key, (listeners = new Set()));
  let heard = false;
  const tracked: LoadListener = {
    warning: listener.warning,
    progress: (detail) => {
      heard ||= detail.fraction >= 1;
      listener.progress(detail);
    },
  };
  listeners.add(tracked);
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
    // A load that found the model ready (in this worker's memory) is a job too: it ends at 1.
    if (!heard) listener.progress({ phase: 'compile', loaded: 2, total: 2, fraction: 1, phaseFraction: 1 });
    // A second element asking for an already-loaded model reads it from this worker's memory.
    return shared ? { ...model.result, source: 'cache' } : model.result;
  } finally {
    listeners.delete(tracked);
  }
}

export async function getModel(key: string): Promise<LoadedModel> {
  const model = models.get(key);
  if (!model) throw new Sam2Error('not-ready', 'The model is not loaded in the worker');
  return model;
}

/** Forgets every model (the GPU device that held their sessions is gone). */
export function forgetModels() {
  models.clear();
}

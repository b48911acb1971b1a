/**
 * Model loading and the session registry: one encoder + one decoder session per model key,
 * created once and shared by every element that asks for the same model. Elements (owners)
 * claim the model they use; a model nobody claims any more is let go: its load in flight is
 * cancelled (download stopped, nothing compiled), its sessions released.
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import type { ModelLoadTimings, ProgressDetail } from '../events.js';
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
import { serial } from './serial.js';
import { counters } from './stats.js';

export interface LoadedModel {
  encoder: ort.InferenceSession;
  decoder: ort.InferenceSession;
  adapter: ContractAdapter;
  result: Omit<LoadModelResult, 'timings'>;
}

export type ProgressSink = (detail: ProgressDetail) => void;
type PhaseSink = (detail: PhaseProgress) => void;
export interface LoadListener {
  progress: ProgressSink;
  warning(warning: Sam2Error): void;
}

/** A model by key: its load (in flight or done) and what cancels it. */
interface ModelEntry {
  promise: Promise<LoadedModel>;
  controller: AbortController;
  loaded: LoadedModel | null;
}
const models = new Map<string, ModelEntry>();
/** The model key each owner (an element) uses. */
const claims = new Map<string, string>();
/** Keys loaded without an owner (protocol v1 clients): kept for the worker's life. */
const pinned = new Set<string>();
/** onnxruntime sessions created and not yet released. */
let liveSessions = 0;

const abortedLoad = () => new Sam2Error('aborted', 'No element uses this model any more: its load was cancelled');
function checkWanted(signal: AbortSignal) {
  if (signal.aborted) throw abortedLoad();
}
async function releaseSessions(...sessions: ort.InferenceSession[]) {
  await Promise.allSettled(sessions.map((session) => session.release()));
  liveSessions -= sessions.length;
}
/** Listeners of every request waiting on a model load (several elements may share one). */
const loadListeners = new Map<string, Set<LoadListener>>();

async function fetchModel(manifest: ResolvedManifest, emit: PhaseSink, warn: (w: Sam2Error) => void, signal: AbortSignal): Promise<ModelFiles> {
  const { store, problem } = await getStore();
  const files = await loadModelFiles(manifest, { store, storeProblem: problem, onProgress: emit, onWarning: warn, signal }).catch((error) => {
    checkWanted(signal);
    throw error;
  });
  checkWanted(signal);
  counters.modelBytesFromNetwork += files.networkBytes;
  counters.modelBytesFromCache += files.cacheBytes;
  counters.modelChunksRepaired += files.repairedChunks;
  return files;
}

/** A load's phases so far (ms), added to as they happen (a fallback or a re-download adds to them). */
type PhaseTimings = Omit<ModelLoadTimings, 'total'>;
const noPhases = (): PhaseTimings => ({ fetch: 0, runtime: 0, sessions: 0, encoderSession: 0, decoderSession: 0 });

async function createSessions(files: ModelFiles, emit: PhaseSink, signal: AbortSignal, timings: PhaseTimings) {
  const t0 = performance.now();
  try {
    return await createBoth(files, emit, signal, timings);
  } finally {
    timings.sessions += performance.now() - t0;
  }
}

async function createBoth(files: ModelFiles, emit: PhaseSink, signal: AbortSignal, timings: PhaseTimings) {
  const t0 = performance.now();
  emit({ phase: 'compile', loaded: 0, total: 2, fraction: 0 });
  const encoder = await createSession(files.encoder.model, 'encoder', files.encoder.externalData).finally(() => {
    timings.encoderSession += performance.now() - t0;
  });
  counters.sessionsCreated++;
  liveSessions++;
  if (signal.aborted) {
    await releaseSessions(encoder);
    throw abortedLoad();
  }
  emit({ phase: 'compile', loaded: 1, total: 2, fraction: 0.5 });
  // The cache keeps the verified original bytes; the rewrite (points-only prompts made exact on
  // onnx-community graphs, model/decoder-graph.ts) is redone on each load, in milliseconds.
  let graph: DecoderGraphFix;
  try {
    graph = fixEmptyBoxConcat(files.decoder.model);
  } catch {
    graph = { bytes: files.decoder.model, rewritten: false }; // onnxruntime reports what is wrong with it
  }
  const t1 = performance.now();
  const decoder = await createSession(graph.bytes, 'decoder', files.decoder.externalData)
    .finally(() => {
      timings.decoderSession += performance.now() - t1;
    })
    .catch(async (error) => {
      await releaseSessions(encoder);
      throw error;
    });
  counters.sessionsCreated++;
  liveSessions++;
  if (signal.aborted) {
    await releaseSessions(encoder, decoder);
    throw abortedLoad();
  }
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
async function loadModel(requested: ResolvedManifest, signal: AbortSignal, timings: PhaseTimings): Promise<LoadedModel> {
  // Progress goes to the listeners of the key the page asked for, whatever the variant.
  const listeners = () => loadListeners.get(requested.key) ?? [];
  // One job for every element waiting on this load: download (most of the bar), then compile. A
  // fallback variant's download and compile are fitted into what is left, so the bar never goes back.
  const job = new JobProgress((detail) => listeners().forEach((listener) => listener.progress(detail)));
  const warn = (warning: Sam2Error) => listeners().forEach((listener) => listener.warning(warning));
  const preset = requested.preset;
  if (!preset) return loadVariant(requested, job, warn, signal, timings);
  const plan = precisionPlan(preset.precision, await runtimeCapabilities());
  for (let i = 0; ; i++) {
    const manifest = resolvePrecision(requested, plan[i]);
    try {
      return await loadVariant(manifest, job, warn, signal, timings);
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
async function loadVariant(
  manifest: ResolvedManifest,
  job: JobProgress,
  warn: (warning: Sam2Error) => void,
  signal: AbortSignal,
  timings: PhaseTimings,
): Promise<LoadedModel> {
  const ortModule = configureRuntime();
  // onnxruntime starts up while the manifest, lock and bytes are fetched (it would otherwise wait
  // for the last byte). Its start is partly synchronous on this thread, so the gain is what
  // overlaps: wasm compilation and the waits of the load (bench/NOTES.md, runs d and e).
  const runtimeReady = warmUpRuntime();
  // Each phase is timed from where the one before ended: the runtime's start overlaps the fetch
  // and only its wait beyond it counts (ModelLoadTimings).
  const fetched = async () => {
    const t = performance.now();
    try {
      return await fetchModel(manifest, job.phase('download', DOWNLOAD_SHARE), warn, signal);
    } finally {
      timings.fetch += performance.now() - t;
    }
  };
  let files = await fetched();
  const tRuntime = performance.now();
  await runtimeReady;
  timings.runtime += performance.now() - tRuntime;
  checkWanted(signal);
  let sessions: Awaited<ReturnType<typeof createSessions>>;
  try {
    sessions = await createSessions(files, job.phase('compile', 1), signal, timings);
  } catch (error) {
    // Cached bytes were verified when stored, but a disk can still hand back garbage: a cached
    // model onnxruntime refuses is dropped and downloaded once more before giving up.
    if (files.source !== 'cache' || signal.aborted || Sam2Error.from(error).code !== 'model-contract') throw error;
    const { store } = await getStore();
    await store.remove(entryName(manifest.key)).catch(() => {});
    files = await fetched();
    sessions = await createSessions(files, job.phase('compile', 1), signal, timings);
  }
  const { encoder, decoder } = sessions;
  let adapter: ContractAdapter;
  try {
    adapter = contractAdapter(detectContract(encoder, manifest.contract), ortModule, { emptyBoxSafe: sessions.emptyBoxSafe });
    adapter.check(encoder, decoder);
  } catch (error) {
    await releaseSessions(encoder, decoder);
    throw error;
  }
  counters.modelsLoaded++;
  watchGpuDevice(ortModule);
  const result: Omit<LoadModelResult, 'timings'> = {
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
  const started = performance.now();
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
  // Claimed before the load starts, so that no other owner's release can cancel it meanwhile.
  if (request.owner) claimModel(request.owner, key);
  else pinned.add(key);
  let entry = models.get(key);
  const shared = entry !== undefined;
  // Only the request that starts the load did its phases (a shared one reports its wait only).
  const timings = noPhases();
  if (!entry) {
    const controller = new AbortController();
    const created: ModelEntry = { promise: loadModel(request.manifest, controller.signal, timings), controller, loaded: null };
    entry = created;
    models.set(key, created);
    created.promise.then(
      (model) => {
        created.loaded = model;
        // On WebGPU an unused model waited for another to hold the device (dropIfUnused).
        for (const other of [...models.keys()]) if (other !== key) dropIfUnused(other);
      },
      // A failed (or cancelled) load is forgotten so that the next attempt starts over.
      () => models.get(key) === created && models.delete(key),
    );
  }
  try {
    const model = await entry.promise;
    // A load that found the model ready (in this worker's memory) is a job too: it ends at 1.
    if (!heard) listener.progress({ phase: 'compile', loaded: 2, total: 2, fraction: 1, phaseFraction: 1 });
    // A second element asking for an already-loaded model reads it from this worker's memory.
    const answer = { ...model.result, timings: { ...timings, total: performance.now() - started } };
    return shared ? { ...answer, source: 'cache' } : answer;
  } finally {
    listeners.delete(tracked);
  }
}

export async function getModel(key: string): Promise<LoadedModel> {
  const model = models.get(key);
  if (!model) throw new Sam2Error('not-ready', 'The model is not loaded in the worker');
  return model.promise;
}

/** `owner` uses the model `key` from now on (and no longer the one it used before, if another). */
export function claimModel(owner: string, key: string) {
  const previous = claims.get(owner);
  claims.set(owner, key);
  if (previous !== undefined && previous !== key) dropIfUnused(previous);
}

/** `owner` (an element that went, or changed its model) uses no model any more. */
export function releaseOwner(owner: string) {
  const previous = claims.get(owner);
  claims.delete(owner);
  if (previous !== undefined) dropIfUnused(previous);
}

const claimed = (key: string) => pinned.has(key) || [...claims.values()].includes(key);

/**
 * On WebGPU, releasing the last session makes onnxruntime destroy its GPUDevice, which reads as
 * a lost device (gpu-device.ts): the last loaded model is kept until another one has loaded.
 */
const keepsDevice = (entry: ModelEntry) =>
  EXECUTION_PROVIDER === 'webgpu' && ![...models.values()].some((other) => other !== entry && other.loaded);

/**
 * Lets a model go once no owner claims it: a load in flight is cancelled at once; loaded
 * sessions are released behind the queued work (a run may be using them), unless a new claim
 * came meanwhile.
 */
function dropIfUnused(key: string) {
  const entry = models.get(key);
  if (!entry || claimed(key)) return;
  if (!entry.loaded) {
    models.delete(key);
    entry.controller.abort();
    return;
  }
  if (keepsDevice(entry)) return;
  void serial(async () => {
    if (claimed(key) || models.get(key) !== entry || keepsDevice(entry)) return;
    models.delete(key);
    await releaseSessions(entry.loaded!.encoder, entry.loaded!.decoder);
  });
}

/** What the registry holds, for `stats`. */
export const modelsHeld = (): number => [...models.values()].filter((entry) => entry.loaded).length;
export const sessionsHeld = (): number => liveSessions;

/** Forgets every model (the GPU device that held their sessions is gone). */
export function forgetModels() {
  models.clear();
  liveSessions = 0;
}

/**
 * Loads every file of a model (encoder, decoder, their external data) for the worker, from the
 * cache and/or the network, holding the model's cross-tab lock so one tab downloads and the
 * others read what it stored. Reports one progress for the whole model and storage problems as
 * warnings; the files are handed out only once complete and verified.
 */
import type { Sam2Error } from '../errors.js';
import { CacheEntry } from './cache-entry.js';
import type { ChunkStore } from './chunk-store.js';
import { loadFile, type LoadedFile, type ModelFile } from './file-loader.js';
import { STORE_WRITES_IN_FLIGHT, type LoadContext } from './url-loader.js';
import { exclusive, lockName, progressPublisher, relayProgress } from './locks.js';
import type { DownloadOptions, ManifestFile, ResolvedManifest } from './manifest.js';
import { RECORD, entryName, evictOtherVersions, versionGroup, type ModelRecord } from './model-cache.js';
import { ProgressMeter, type PhaseProgress } from './progress.js';
import { Pool, allOrAbort } from './schedule.js';

export const DEFAULT_DOWNLOAD: Required<DownloadOptions> = {
  // 8 MiB: big enough that per-request overhead is noise, small enough that a cut costs little.
  rangeSize: 8 * 1024 * 1024,
  parallel: 4,
  stallTimeout: 30_000,
  retries: 3,
};

/** What onnxruntime needs to create one session. */
export interface SessionFiles {
  model: Uint8Array;
  externalData: Array<{ path: string; data: Uint8Array }>;
}

export interface ModelFiles {
  encoder: SessionFiles;
  decoder: SessionFiles;
  /** 'cache' when not one model byte came over the network. */
  source: 'network' | 'cache';
  networkBytes: number;
  cacheBytes: number;
  /** Cached chunks that failed their checksum and came from the network again. */
  repairedChunks: number;
}

export interface LoadEnvironment {
  store: ChunkStore;
  /** Why `store` is the in-memory fallback; repeated as a warning to every load. */
  storeProblem?: Sam2Error | null;
  /** Download progress (phase-level: the caller's job adds the overall fraction). */
  onProgress(detail: PhaseProgress): void;
  onWarning(warning: Sam2Error): void;
  /** Cancels the load (nobody wants the model any more): every request stops. */
  signal?: AbortSignal;
}

function downloadOptions(manifest: ResolvedManifest): Required<DownloadOptions> {
  const options = { ...DEFAULT_DOWNLOAD };
  for (const [name, value] of Object.entries(manifest.download ?? {}) as Array<[keyof DownloadOptions, unknown]>) {
    const min = name === 'retries' ? 0 : 1;
    if (name in options && Number.isInteger(value) && (value as number) >= min) options[name] = value as number;
  }
  return options;
}

/** The files of a model, each with an id that is unique (and stable) within its cache entry. */
function modelFiles(manifest: ResolvedManifest): Array<{ role: 'encoder' | 'decoder'; path: string | null; file: ModelFile }> {
  const of = (role: 'encoder' | 'decoder', file: ManifestFile) => [
    { role, path: null, file: { id: role, bytes: file.bytes, sha256: file.sha256, parts: file.parts } },
    ...(file.externalData ?? []).map((data, i) => ({
      role,
      path: data.path,
      file: { id: `${role}.x${i}`, bytes: data.bytes, sha256: data.sha256, parts: data.parts },
    })),
  ];
  return [...of('encoder', manifest.encoder), ...of('decoder', manifest.decoder)];
}

export async function loadModelFiles(manifest: ResolvedManifest, env: LoadEnvironment): Promise<ModelFiles> {
  if (env.storeProblem) env.onWarning(env.storeProblem);
  const entry = entryName(manifest.key);
  const run = () => download(manifest, entry, env);
  // Nothing is shared across tabs without a persistent store: no lock to wait for.
  if (!env.store.persistent) return run();
  return exclusive(lockName(entry), run, () => relayProgress(entry, env.onProgress));
}

async function download(manifest: ResolvedManifest, name: string, env: LoadEnvironment): Promise<ModelFiles> {
  const { store } = env;
  const entry = await CacheEntry.open(store, name, env.onWarning);
  const record = await entry.readJson<ModelRecord>(RECORD);
  const group = versionGroup(manifest);
  if (!record) await entry.writeJson(RECORD, { name: manifest.name, key: manifest.key, complete: false, group } satisfies ModelRecord);
  const files = modelFiles(manifest);
  if (store.persistent && !record?.complete) await checkQuota(files.map((f) => f.file), entry);

  const publisher = store.persistent ? progressPublisher(name) : null;
  const meter = new ProgressMeter(
    files.map((f) => f.file.id),
    (detail) => {
      env.onProgress(detail);
      publisher?.post(detail);
    },
  );
  const options = downloadOptions(manifest);
  const controller = new AbortController();
  const cancel = () => controller.abort(env.signal?.reason);
  if (env.signal?.aborted) cancel();
  env.signal?.addEventListener('abort', cancel, { once: true });
  const context: LoadContext = {
    entry,
    options,
    pool: new Pool(options.parallel),
    writer: new Pool(STORE_WRITES_IN_FLIGHT),
    meter,
    signal: controller.signal,
    abortAll: () => controller.abort(),
  };
  let loaded: LoadedFile[];
  try {
    loaded = await allOrAbort(controller, files.map(({ file }) => loadFile(file, context)));
    meter.finish();
  } finally {
    env.signal?.removeEventListener('abort', cancel);
    publisher?.close();
  }

  if (store.persistent && entry.persisting) {
    if (!record?.complete) {
      await entry.writeJson(RECORD, { name: manifest.name, key: manifest.key, complete: true, group } satisfies ModelRecord);
      await evictOtherVersions(store, manifest.name, name, group).catch(() => {});
    }
  } else if (!store.persistent || entry.failure?.code === 'storage-quota') {
    // Memory entries would pin the bytes after onnxruntime copied them; a partial entry on a
    // full disk only takes space other sites may need.
    await store.remove(name).catch(() => {});
  }

  const session = (role: 'encoder' | 'decoder'): SessionFiles => {
    const mine = files.map((f, i) => ({ ...f, bytes: loaded[i].bytes })).filter((f) => f.role === role);
    return {
      model: mine.find((f) => f.path === null)!.bytes,
      externalData: mine.filter((f) => f.path !== null).map((f) => ({ path: f.path!, data: f.bytes })),
    };
  };
  const networkBytes = loaded.reduce((sum, f) => sum + f.fromNetwork, 0);
  return {
    encoder: session('encoder'),
    decoder: session('decoder'),
    source: networkBytes === 0 ? 'cache' : 'network',
    networkBytes,
    cacheBytes: loaded.reduce((sum, f) => sum + f.fromCache, 0),
    repairedChunks: loaded.reduce((sum, f) => sum + f.repairedChunks, 0),
  };
}

/**
 * Asks before downloading whether the model can fit (when the manifest says how big it is):
 * better to warn and load in memory up front than to fill the disk and fail half-way.
 */
async function checkQuota(files: ModelFile[], entry: CacheEntry) {
  const sizes = files.map((file) => file.bytes ?? (file.parts.every((p) => p.bytes !== undefined) ? file.parts.reduce((s, p) => s + p.bytes!, 0) : undefined));
  if (sizes.some((size) => size === undefined)) return;
  const needed = sizes.reduce<number>((sum, size) => sum + size!, 0) - entry.storedBytes();
  const estimate = await navigator.storage?.estimate?.().catch(() => null);
  if (!estimate?.quota) return;
  const free = estimate.quota - (estimate.usage ?? 0);
  if (needed > free) {
    entry.fail(new DOMException(`${needed} bytes needed, ${free} available`, 'QuotaExceededError'), 'checking the storage quota');
  }
}

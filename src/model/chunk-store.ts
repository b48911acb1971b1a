/**
 * Where downloaded model bytes are kept between visits. One entry per model identity
 * (`ResolvedManifest.key`), holding named chunks. Two implementations: OPFS (opfs-store.ts, the
 * real cache) and memory (memory-store.ts, the fallback when OPFS can't be used, and a test
 * double). The interface is deliberately tiny so faults can be injected around it.
 */
import { Sam2Error } from '../errors.js';

export interface ChunkStore {
  /** False for the memory store: nothing survives the worker, other tabs can't share it. */
  readonly persistent: boolean;
  /** Names of all entries. */
  entries(): Promise<string[]>;
  /** Chunk names and sizes of an entry (empty when the entry does not exist). */
  list(entry: string): Promise<Map<string, number>>;
  /** A chunk's bytes; read into `into` (which must have the chunk's size) when given. */
  read(entry: string, name: string, into?: Uint8Array): Promise<Uint8Array>;
  /** Stores a chunk all-or-nothing: after a crash a chunk is either complete or absent. */
  write(entry: string, name: string, bytes: Uint8Array): Promise<void>;
  /** Removes one chunk, or the whole entry when `name` is omitted. Missing is not an error. */
  remove(entry: string, name?: string): Promise<void>;
}

/** Test hook: storage failures the worker can simulate (see `Sam2Segmenter.simulateStorageFault`). */
export type StorageFault = { kind: 'quota'; afterWrites?: number } | { kind: 'unavailable' };

/** Maps a storage exception to the package's codes: a full disk and a missing OPFS differ for the page. */
export function storageError(cause: unknown, doing: string): Sam2Error {
  if (cause instanceof Sam2Error) return cause;
  const name = (cause as { name?: string })?.name;
  const message = (cause as Error)?.message ?? String(cause);
  if (name === 'QuotaExceededError') {
    return new Sam2Error('storage-quota', `Not enough storage to cache the model (${doing}); it is loaded in memory instead`, { cause });
  }
  return new Sam2Error('storage-unavailable', `The model cache can't be used (${doing}: ${message}); the model is loaded in memory instead`, { cause });
}

/** Wraps a store so that writes fail with QuotaExceededError after `afterWrites` successful ones. */
export function withQuotaFault(store: ChunkStore, afterWrites = 0): ChunkStore {
  let writes = 0;
  return {
    persistent: store.persistent,
    entries: () => store.entries(),
    list: (entry) => store.list(entry),
    read: (entry, name, into) => store.read(entry, name, into),
    remove: (entry, name) => store.remove(entry, name),
    async write(entry, name, bytes) {
      if (writes >= afterWrites) throw new DOMException('Simulated full storage', 'QuotaExceededError');
      writes++;
      return store.write(entry, name, bytes);
    },
  };
}

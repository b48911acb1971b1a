/**
 * Where downloaded model bytes are kept between visits. One entry per model identity
 * (`ResolvedManifest.key`), holding named chunks. Implementations: OPFS (opfs-store.ts, the real
 * cache), IndexedDB (idb-store.ts, where OPFS or its sync handles are missing) and memory
 * (memory-store.ts, the last resort, and a test double). The interface is deliberately tiny so
 * faults can be injected around it.
 */
import { Sam2Error } from '../errors.js';

export interface ChunkStore {
  /** False for the memory store: nothing survives the worker, other tabs can't share it. */
  readonly persistent: boolean;
  /** Names of all entries. */
  entries(): Promise<string[]>;
  /** Chunk names and sizes of an entry (empty when the entry does not exist). */
  list(entry: string): Promise<Map<string, number>>;
  /**
   * A chunk's bytes; read into `into` (which must have the chunk's size) when given. A
   * persistent store hands back exactly the bytes written or throws (CorruptChunkError when
   * they no longer match the checksum stored with them): nothing changed on disk is ever used.
   */
  read(entry: string, name: string, into?: Uint8Array): Promise<Uint8Array>;
  /** Stores a chunk (and, when persistent, its checksum) all-or-nothing: after a crash a chunk is either complete or absent. */
  write(entry: string, name: string, bytes: Uint8Array): Promise<void>;
  /** Removes one chunk, or the whole entry when `name` is omitted. Missing is not an error. */
  remove(entry: string, name?: string): Promise<void>;
}

/**
 * Test hook: storage failures the worker can simulate (see `Sam2Segmenter.simulateStorageFault`):
 * a full disk, no persistent storage at all, or no OPFS (the IndexedDB store is used instead).
 */
export type StorageFault = { kind: 'quota'; afterWrites?: number } | { kind: 'unavailable' } | { kind: 'no-opfs' };

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

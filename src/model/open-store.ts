/**
 * The worker's one store: OPFS when it works (fastest: sync handles, reads straight into the
 * model buffer), else IndexedDB (persistent too, every engine has it in workers: WebKitGTK as
 * shipped has no OPFS), else memory with the reason kept, so that every load can warn
 * (`storage-unavailable`, recoverable) and still load the model. Every persistent store checks
 * each chunk read against the checksum written with it.
 */
import type { Sam2Error } from '../errors.js';
import { storageError, withQuotaFault, type ChunkStore, type StorageFault } from './chunk-store.js';
import { IdbStore } from './idb-store.js';
import { MemoryStore } from './memory-store.js';
import { OpfsStore } from './opfs-store.js';

export interface OpenedStore {
  store: ChunkStore;
  problem: Sam2Error | null;
  /** Which kind of store it is (stats, tests, bench). */
  kind: StoreKind;
}

export type StoreKind = 'opfs' | 'indexeddb' | 'memory';

/** The models' OPFS directory and IndexedDB database. */
export const MODEL_STORE = 'sam2-segmenter';

let opened: Promise<OpenedStore> | null = null;
let fault: StorageFault | null = null;

/**
 * The best persistent store for `name` (an OPFS directory or an IndexedDB database of that
 * name), or throws why there is none. `fault` simulates a missing OPFS or no storage at all.
 */
export async function openPersistentStore(name: string, simulated: StorageFault | null = null): Promise<{ store: ChunkStore; kind: StoreKind }> {
  if (simulated?.kind === 'unavailable') throw new DOMException('Simulated: no persistent storage', 'SecurityError');
  let opfsError: unknown;
  try {
    if (simulated?.kind === 'no-opfs') throw new DOMException('Simulated: OPFS is not available', 'NotSupportedError');
    return { store: await OpfsStore.open(name), kind: 'opfs' };
  } catch (error) {
    opfsError = error;
  }
  try {
    return { store: await IdbStore.open(name), kind: 'indexeddb' };
  } catch (idbError) {
    const reason = (e: unknown) => (e as Error)?.message ?? String(e);
    throw new DOMException(`OPFS: ${reason(opfsError)}; IndexedDB: ${reason(idbError)}`, (idbError as DOMException)?.name ?? 'NotSupportedError');
  }
}

async function open(): Promise<OpenedStore> {
  try {
    const { store, kind } = await openPersistentStore(MODEL_STORE, fault);
    return { store: fault?.kind === 'quota' ? withQuotaFault(store, fault.afterWrites) : store, problem: null, kind };
  } catch (error) {
    return { store: new MemoryStore(), problem: storageError(error, 'opening the Origin Private File System and IndexedDB'), kind: 'memory' };
  }
}

export function getStore(): Promise<OpenedStore> {
  opened ??= open();
  return opened;
}

/** Test hook: simulate a full disk or a browser without OPFS from now on (null: back to normal). */
export function setStorageFault(next: StorageFault | null) {
  fault = next;
  opened = null;
}

/** The fault in force (the embedding store follows it too). */
export function storageFault(): StorageFault | null {
  return fault;
}

/**
 * The worker's one store: OPFS when it works, else memory with the reason kept, so that every
 * load can warn (`storage-unavailable`, recoverable) and still load the model.
 */
import type { Sam2Error } from '../errors.js';
import { storageError, withQuotaFault, type ChunkStore, type StorageFault } from './chunk-store.js';
import { MemoryStore } from './memory-store.js';
import { OpfsStore } from './opfs-store.js';

export interface OpenedStore {
  store: ChunkStore;
  problem: Sam2Error | null;
}

let opened: Promise<OpenedStore> | null = null;
let fault: StorageFault | null = null;

async function open(): Promise<OpenedStore> {
  try {
    if (fault?.kind === 'unavailable') throw new DOMException('Simulated: OPFS is not available', 'SecurityError');
    const opfs = await OpfsStore.open();
    return { store: fault?.kind === 'quota' ? withQuotaFault(opfs, fault.afterWrites) : opfs, problem: null };
  } catch (error) {
    return { store: new MemoryStore(), problem: storageError(error, 'opening the Origin Private File System') };
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

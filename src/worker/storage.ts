/**
 * Requests about what is stored on disk: the model cache listing and clearing (image embeddings
 * go with their model), and the storage-fault test hook.
 */
import { clearCached, listCached, type CachedModel } from '../model/model-cache.js';
import { getStore, setStorageFault } from '../model/open-store.js';
import { diskEmbeddings, diskModelKey, reopenDiskEmbeddings } from './encode.js';
import type { ClearCacheRequest, StorageFaultRequest } from './protocol.js';

export async function handleListCache(): Promise<CachedModel[]> {
  return listCached((await getStore()).store);
}

export async function handleClearCache(request: ClearCacheRequest): Promise<CachedModel[]> {
  const removed = await clearCached((await getStore()).store, request.match);
  // Stored image embeddings go with their model (all of them when clearing everything).
  await diskEmbeddings().clear(request.match === undefined ? undefined : removed.map((m) => diskModelKey(m.key)));
  return removed;
}

export function handleStorageFault(request: StorageFaultRequest) {
  setStorageFault(request.fault);
  // The embedding store follows the same fault from its next open.
  reopenDiskEmbeddings();
}

/**
 * Runs store scenarios inside a dedicated worker (OPFS sync access handles exist only there),
 * against the real OPFS and IndexedDB of the test page's origin. Answers {ok, value} or {ok: false, error}.
 */
import { IdbStore } from '../../src/model/idb-store.js';
import { openPersistentStore } from '../../src/model/open-store.js';
import { OpfsStore } from '../../src/model/opfs-store.js';
import type { ChunkStore } from '../../src/model/chunk-store.js';

type Dir = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };

/** Every file name under an OPFS directory, with paths. */
async function files(dir: Dir, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const [name, handle] of dir.entries()) {
    if (handle.kind === 'directory') out.push(...(await files(handle as Dir, `${prefix}${name}/`)));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

const root = async (name: string) => (await (await navigator.storage.getDirectory()).getDirectoryHandle(name, { create: true })) as Dir;
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const errorName = async (task: () => Promise<unknown>) => task().then(() => null, (e: Error) => e.name);

/** Round trip, then a changed byte: what read() does with it. */
async function roundTrip(store: ChunkStore, corrupt: () => Promise<void>) {
  const data = bytes(3000, 7);
  await store.write('entry', 'chunk', data.subarray(1000, 2500)); // a view: only its bytes are stored
  const listed = Object.fromEntries(await store.list('entry'));
  const back = await store.read('entry', 'chunk');
  const into = new Uint8Array(1500);
  await store.read('entry', 'chunk', into);
  const same = back.every((b, i) => b === data[1000 + i]) && into.every((b, i) => b === data[1000 + i]);
  await corrupt();
  const afterCorruption = await errorName(() => store.read('entry', 'chunk'));
  const listedAfter = Object.fromEntries(await store.list('entry'));
  await store.remove('entry');
  return { listed, same, length: back.byteLength, afterCorruption, listedAfter, entriesAfterRemove: await store.entries() };
}

const scenarios: Record<string, () => Promise<unknown>> = {
  async 'opfs-round-trip'() {
    const store = await OpfsStore.open('sam2-test-opfs');
    return roundTrip(store, async () => {
      // Zero 10 bytes in the middle, as a disk (or a person) might: the size stays the same.
      const dir = await (await root('sam2-test-opfs')).getDirectoryHandle('entry');
      const file = (await dir.getFileHandle('chunk')) as FileSystemFileHandle & {
        createSyncAccessHandle(): Promise<{ write(b: Uint8Array, o: { at: number }): number; close(): void }>;
      };
      const handle = await file.createSyncAccessHandle();
      handle.write(new Uint8Array(10), { at: 700 });
      handle.close();
    });
  },
  async 'idb-round-trip'() {
    const store = await IdbStore.open('sam2-test-idb');
    return roundTrip(store, async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('sam2-test-idb');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction('bytes', 'readwrite');
      const objects = tx.objectStore('bytes');
      const stored = await new Promise<ArrayBuffer>((resolve) => {
        const get = objects.get(['entry', 'chunk']);
        get.onsuccess = () => resolve(get.result);
      });
      const changed = new Uint8Array(stored);
      changed.fill(0, 700, 710);
      objects.put(changed.buffer, ['entry', 'chunk']);
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
    });
  },
  /** WebKitGTK with OPFS enabled: sync access handles exist and throw NotSupportedError. */
  async 'sync-handles-throw'() {
    const proto = FileSystemFileHandle.prototype as unknown as { createSyncAccessHandle(): Promise<unknown> };
    const original = proto.createSyncAccessHandle;
    proto.createSyncAccessHandle = () => Promise.reject(new DOMException('The operation is not supported.', 'NotSupportedError'));
    try {
      const opened = await OpfsStore.open('sam2-test-nosync').then(
        async (store) => {
          // Opened anyway: a write must still leave nothing behind.
          const writeError = await errorName(() => store.write('entry', 'chunk', bytes(100, 1)));
          return { opened: true, writeError };
        },
        (error: Error) => ({ opened: false, openError: error.name }),
      );
      const left = await files(await root('sam2-test-nosync'));
      const chosen = await openPersistentStore('sam2-test-nosync');
      await chosen.store.write('entry', 'chunk', bytes(100, 2));
      const readBack = (await chosen.store.read('entry', 'chunk')).every((b, i) => b === bytes(100, 2)[i]);
      await chosen.store.remove('entry');
      return { ...opened, left, chosen: chosen.kind, readBack };
    } finally {
      proto.createSyncAccessHandle = original;
    }
  },
};

self.onmessage = async (event: MessageEvent<string>) => {
  try {
    self.postMessage({ ok: true, value: await scenarios[event.data]() });
  } catch (error) {
    self.postMessage({ ok: false, error: `${(error as Error).name}: ${(error as Error).message}` });
  }
};

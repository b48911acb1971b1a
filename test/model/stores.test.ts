import { expect } from '@esm-bundle/chai';

/** Runs one scenario of stores.worker.ts in a fresh dedicated worker. */
function inWorker<T>(scenario: string): Promise<T> {
  const worker = new Worker(new URL('./stores.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<T>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ ok: boolean; value?: T; error?: string }>) => {
      worker.terminate();
      if (event.data.ok) resolve(event.data.value as T);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`worker error: ${event.message}`));
    };
    worker.postMessage(scenario);
  });
}

interface RoundTrip {
  listed: Record<string, number>;
  same: boolean;
  length: number;
  afterCorruption: string | null;
  listedAfter: Record<string, number>;
  entriesAfterRemove: string[];
}

async function cleanUp() {
  const origin = await navigator.storage.getDirectory();
  for (const name of ['sam2-test-opfs', 'sam2-test-nosync']) await origin.removeEntry(name, { recursive: true }).catch(() => {});
  for (const name of ['sam2-test-idb', 'sam2-test-nosync']) {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  }
}

describe('chunk stores: a read hands back the bytes written, or fails', () => {
  before(cleanUp);
  after(cleanUp);

  for (const [kind, scenario] of [['OPFS', 'opfs-round-trip'], ['IndexedDB', 'idb-round-trip']] as const) {
    it(`${kind}: round-trips a chunk (a view of a larger buffer), and refuses it once bytes inside it were zeroed`, async () => {
      const result = await inWorker<RoundTrip>(scenario);
      expect(result.listed).to.deep.equal({ chunk: 1500 });
      expect(result.length).to.equal(1500);
      expect(result.same).to.equal(true);
      expect(result.afterCorruption).to.equal('CorruptChunkError');
      expect(result.listedAfter).to.deep.equal({ chunk: 1500 });
      expect(result.entriesAfterRemove).to.deep.equal([]);
    });
  }

  it('where sync access handles throw (WebKitGTK), OPFS is refused at open, leaves no .tmp file, and IndexedDB is chosen', async () => {
    const result = await inWorker<{ opened: boolean; openError?: string; writeError?: string; left: string[]; chosen: string; readBack: boolean }>('sync-handles-throw');
    expect(result.left, 'files left behind').to.deep.equal([]);
    expect(result.opened).to.equal(false);
    expect(result.openError).to.equal('NotSupportedError');
    expect(result.chosen).to.equal('indexeddb');
    expect(result.readBack).to.equal(true);
  });
});

import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import { closeTabs, colourManifest, openTab, resetServer, segmenterClass, servedLog, servedPath, servedSince } from './helpers.js';

const Segmenter = segmenterClass();
const DATABASE = 'sam2-segmenter';

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const asPromise = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

async function deleteDatabase() {
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DATABASE);
    request.onsuccess = request.onerror = request.onblocked = resolve;
  });
}

/** A tab whose worker finds no OPFS (as in WebKitGTK), so it caches in IndexedDB. */
async function tabWithoutOpfs() {
  const tab = await openTab();
  await tab.testing.simulateStorageFault({ kind: 'no-opfs' });
  return tab;
}

describe('model cache without OPFS: the IndexedDB store', () => {
  beforeEach(async () => {
    closeTabs();
    await deleteDatabase();
    await Segmenter.clearCache();
    await resetServer();
  });
  after(async () => {
    closeTabs();
    await deleteDatabase();
  });

  it('persists the model across tabs with no warning: the next tab loads it with no request', async () => {
    const manifest = await colourManifest({ name: 'idb-colour' });
    const first = await tabWithoutOpfs();
    const report = await first.load(manifest);
    expect(report.error).to.equal(null);
    expect(report.warnings, 'IndexedDB is a real cache: nothing to warn about').to.deep.equal([]);
    expect(report.loaded!.source).to.equal('network');
    const reference = await first.segment();
    expect((await first.testing.workerStats())!.modelStore).to.equal('indexeddb');
    // Nothing went to OPFS.
    expect(await Segmenter.cachedModels()).to.deep.equal([]);
    const listed = await first.Segmenter.cachedModels();
    expect(listed.map((m) => [m.name, m.complete])).to.deep.equal([['idb-colour', true]]);
    closeTabs();

    const before = await servedLog();
    const second = await tabWithoutOpfs();
    const again = await second.load(manifest);
    expect(again.loaded!.source).to.equal('cache');
    expect(servedSince(before, await servedLog())).to.deep.equal({});
    expect((await second.segment()).checksum).to.equal(reference.checksum);
    // clearCache() empties it as it empties OPFS.
    await second.Segmenter.clearCache();
    expect(await second.Segmenter.cachedModels()).to.deep.equal([]);
  });

  it('a chunk whose bytes were zeroed in IndexedDB is fetched again, never used', async () => {
    const manifest = await colourManifest({ name: 'idb-colour' });
    const first = await tabWithoutOpfs();
    await first.load(manifest);
    const reference = await first.segment();
    closeTabs();

    const db = await openDatabase();
    const tx = db.transaction('bytes', 'readwrite');
    const objects = tx.objectStore('bytes');
    const keys = (await asPromise(objects.getAllKeys())) as Array<[string, string]>;
    const key = keys.find(([, name]) => name === 'encoder~r512-1024')!;
    expect(key, JSON.stringify(keys)).to.not.equal(undefined);
    const bytes = new Uint8Array((await asPromise(objects.get(key))) as ArrayBuffer);
    bytes.fill(0, 100, 164);
    objects.put(bytes.buffer, key);
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();

    const before = await servedLog();
    const second = await tabWithoutOpfs();
    const report = await second.load(manifest);
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    const log = servedSince(before, await servedLog());
    expect(log[servedPath('encoder.onnx')].map((e) => e.range)).to.deep.equal(['bytes=512-1023']);
    expect(log[servedPath('decoder.onnx')]).to.equal(undefined);
    expect((await second.testing.workerStats())!.modelChunksRepaired).to.equal(1);
    expect((await second.segment()).checksum).to.equal(reference.checksum);
  });
});

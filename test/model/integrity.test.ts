import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import { closeTabs, colourManifest, openTab, resetServer, segmenterClass, servedLog, servedPath, servedSince } from './helpers.js';

const Segmenter = segmenterClass();
const ROOT = 'sam2-segmenter';
const RANGE = 512; // colourManifest()'s rangeSize: chunk k of a file holds bytes [512k, 512k + 512)

/** Where the encoder's STD constant (the un-normalisation, float32 [0.229, 0.224, 0.225]) lies. */
async function stdOffset(): Promise<number> {
  const bytes = new Uint8Array(await (await fetch('/test/fixtures/generated/encoder.onnx')).arrayBuffer());
  const needle = new Uint8Array(new Float32Array([0.229, 0.224, 0.225]).buffer);
  for (let i = 0; i + needle.length <= bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b)) return i;
  }
  throw new Error('the STD constant is not in the fixture encoder');
}

type Dir = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };

/** The cache entry (OPFS directory) of the model named `name`. */
async function entryDir(name: string): Promise<Dir> {
  const root = (await (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT)) as Dir;
  for await (const [entry, handle] of root.entries()) if (handle.kind === 'directory' && entry.startsWith(`${name}@`)) return handle as Dir;
  throw new Error(`no cache entry for ${name}`);
}

/** Overwrites `length` bytes at `offset` of a stored chunk with zeros, keeping its size. */
async function zeroBytes(dir: Dir, chunk: string, offset: number, length: number) {
  const writable = await (await dir.getFileHandle(chunk)).createWritable({ keepExistingData: true });
  await writable.write({ type: 'write', position: offset, data: new Uint8Array(length) });
  await writable.close();
}

describe('model cache: nothing changed on disk is ever used', () => {
  beforeEach(async () => {
    await Segmenter.clearCache();
    await resetServer();
  });
  afterEach(async () => {
    closeTabs();
    await Segmenter.clearCache();
  });

  for (const sizes of [true, false]) {
    it(`zeroed constants inside the cached encoder are caught on the warm load: that chunk alone is fetched again, the mask is right (${sizes ? 'manifest with hashes' : 'URLs only'})`, async () => {
      // 'ref' is no server option: it gives the reference model URLs (an identity) of its own.
      const referenceTab = await openTab();
      await referenceTab.load(await colourManifest({ name: 'reference', encoder: 'ref', decoder: 'ref' }));
      const expected = await referenceTab.segment();

      const manifest = await colourManifest({ sizes });
      const first = await openTab();
      expect((await first.load(manifest)).loaded!.source).to.equal('network');
      // Zero the STD constant in the stored copy: onnxruntime still loads that model, and it
      // then sees a grey image (features = MEAN everywhere), so the click selects everything.
      const offset = await stdOffset();
      const start = Math.floor(offset / RANGE) * RANGE;
      const chunk = `encoder~r${start}-${start + RANGE}`;
      await zeroBytes(await entryDir('delivery-colour'), chunk, offset - start, 12);
      closeTabs();

      const before = await servedLog();
      const tab = await openTab();
      const report = await tab.load(manifest);
      expect(report.error, JSON.stringify(report.error)).to.equal(null);
      const log = servedSince(before, await servedLog());
      // One range request for the damaged chunk, nothing else of the model.
      expect(log[servedPath('encoder.onnx')]?.map((e) => e.range), JSON.stringify(log)).to.deep.equal([`bytes=${start}-${start + RANGE - 1}`]);
      expect(log[servedPath('decoder.onnx')]).to.equal(undefined);
      expect(report.loaded!.source).to.equal('network');
      const stats = (await tab.testing.workerStats())!;
      expect(stats.modelChunksRepaired).to.equal(1);
      const mask = await tab.segment();
      expect(mask.checksum).to.equal(expected.checksum);
      expect(mask.area).to.equal(expected.area);

      // Repaired for good: the next visit reads everything from the cache again.
      const again = await servedLog();
      const third = await openTab();
      expect((await third.load(manifest)).loaded!.source).to.equal('cache');
      expect(servedSince(again, await servedLog())).to.deep.equal({});
      expect((await third.segment()).checksum).to.equal(expected.checksum);
    });
  }

  it('a cached chunk cut short or emptied is fetched again too', async () => {
    const manifest = await colourManifest();
    const first = await openTab();
    await first.load(manifest);
    const reference = await first.segment();
    const dir = await entryDir('delivery-colour');
    // Emptied (a 0-byte file under the chunk's name) and truncated by a few bytes.
    await (await (await dir.getFileHandle('decoder~r0-512')).createWritable()).close();
    const writable = await (await dir.getFileHandle('encoder~r512-1024')).createWritable({ keepExistingData: true });
    await writable.truncate(500);
    await writable.close();
    closeTabs();

    const before = await servedLog();
    const tab = await openTab();
    const report = await tab.load(manifest);
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    const log = servedSince(before, await servedLog());
    expect(log[servedPath('decoder.onnx')].map((e) => e.range)).to.deep.equal(['bytes=0-511']);
    expect(log[servedPath('encoder.onnx')].map((e) => e.range)).to.deep.equal(['bytes=512-1023']);
    expect((await tab.segment()).checksum).to.equal(reference.checksum);
  });
});

import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { ErrorDetail } from '../../src/events.js';
import {
  ENCODER_BYTES,
  GENERATED,
  MODEL_BYTES,
  bytesSent,
  closeTabs,
  colourManifest,
  openTab,
  resetServer,
  segmenterClass,
  served,
  servedLog,
  servedPath,
} from './helpers.js';

const Segmenter = segmenterClass();

describe('model delivery: tabs, storage faults, cache management', () => {
  beforeEach(async () => {
    await Segmenter.clearCache();
    await resetServer();
  });
  afterEach(async () => {
    closeTabs();
    await Segmenter.clearCache();
  });

  it('two tabs loading the same model at once download it once', async () => {
    const [a, b] = await Promise.all([openTab(), openTab()]);
    // Slow responses (2 KB/s each) keep the first tab downloading while the second asks.
    const manifest = await colourManifest({ encoder: 'rate=2048', decoder: 'rate=2048' });
    const [first, second] = await Promise.all([a.load(manifest), b.load(manifest)]);
    expect(first.error ?? second.error).to.equal(null);
    expect([first.loaded!.source, second.loaded!.source].sort()).to.deep.equal(['cache', 'network']);
    const log = await servedLog();
    // Every range requested exactly once, by one of the two workers.
    const ranges = Object.values(log).map((entries) => entries.map((e) => e.range));
    expect(ranges.map((r) => r.length).sort()).to.deep.equal([14, 3]);
    for (const list of ranges) expect(new Set(list).size).to.equal(list.length);
    expect(bytesSent(log, servedPath('encoder.onnx', 'rate=2048')) + bytesSent(log, servedPath('decoder.onnx', 'rate=2048'))).to.equal(MODEL_BYTES);
    // The waiting tab showed the downloader's progress meanwhile, and ended at 100%.
    const waiting = first.loaded!.source === 'cache' ? first : second;
    const download = waiting.progress.filter((p) => p.phase === 'download');
    expect(download.some((p) => p.phaseFraction > 0 && p.phaseFraction < 1), 'relayed progress').to.equal(true);
    expect(download.at(-1)).to.include({ loaded: MODEL_BYTES, phaseFraction: 1 });
  });

  it('a full disk degrades to an in-memory load with one storage-quota warning', async () => {
    const tab = await openTab();
    await tab.testing.simulateStorageFault({ kind: 'quota', afterWrites: 3 });
    const report = await tab.load(await colourManifest());
    expect(report.warnings.map((w) => [w.code, w.recoverable])).to.deep.equal([['storage-quota', true]]);
    expect(report.error).to.equal(null);
    expect(report.loaded!.source).to.equal('network');
    expect((await tab.segment()).area).to.be.above(0);
    // The partial entry was removed: it would only take space the disk doesn't have.
    expect(await Segmenter.cachedModels()).to.deep.equal([]);
    await tab.testing.simulateStorageFault(null);
  });

  it('without OPFS the model loads in memory with a storage-unavailable warning', async () => {
    const tab = await openTab();
    await tab.testing.simulateStorageFault({ kind: 'unavailable' });
    const report = await tab.load(await colourManifest());
    expect(report.warnings.map((w) => [w.code, w.recoverable])).to.deep.equal([['storage-unavailable', true]]);
    expect(report.loaded!.source).to.equal('network');
    expect((await tab.segment()).area).to.be.above(0);
    expect(await Segmenter.cachedModels()).to.deep.equal([]);
    await tab.testing.simulateStorageFault(null);
  });

  it('the warning reaches the element as a recoverable error event while it goes on loading', async () => {
    await testing.simulateStorageFault({ kind: 'quota', afterWrites: 0 });
    try {
      const element = document.createElement('sam2-segmenter');
      element.loading = 'eager';
      element.model = await colourManifest({ name: 'element-quota', encoder: 'element', decoder: 'element' });
      const events: string[] = [];
      element.addEventListener('error', (event) => {
        const { code, recoverable } = (event as unknown as CustomEvent<ErrorDetail>).detail;
        events.push(`error:${code}:${recoverable}`);
      });
      const loaded = new Promise((resolve) => element.addEventListener('model-load', resolve, { once: true }));
      document.body.append(element);
      await loaded;
      expect(events).to.deep.equal(['error:storage-quota:true']);
      expect(element.status).to.not.equal('error');
      element.remove();
    } finally {
      await testing.simulateStorageFault(null);
    }
  });

  it('cachedModels lists what is stored; clearCache removes one model or all', async () => {
    const tab = await openTab();
    await tab.load(await colourManifest({ name: 'model-a', encoder: 'a', decoder: 'a' }));
    await tab.load(await colourManifest({ name: 'model-b', encoder: 'b', decoder: 'b' }));
    const listed = await Segmenter.cachedModels();
    expect(listed.map((m) => m.name).sort()).to.deep.equal(['model-a', 'model-b']);
    for (const model of listed) {
      expect(model.complete).to.equal(true);
      expect(model.bytes).to.be.at.least(MODEL_BYTES);
    }
    const removed = await Segmenter.clearCache('model-a');
    expect(removed.map((m) => m.name)).to.deep.equal(['model-a']);
    expect((await Segmenter.cachedModels()).map((m) => m.name)).to.deep.equal(['model-b']);
    // A manifest object clears by its name; a key clears exactly that entry. (A new tab: the
    // first one still holds model-a in memory and would not store it again.)
    await (await openTab()).load(await colourManifest({ name: 'model-a', encoder: 'a', decoder: 'a' }));
    expect(await Segmenter.clearCache(await colourManifest({ name: 'model-a' }))).to.have.length(1);
    const [b] = await Segmenter.cachedModels();
    expect((await Segmenter.clearCache(b.key)).map((m) => m.key)).to.deep.equal([b.key]);
    expect(await Segmenter.cachedModels()).to.deep.equal([]);
    // Cleared means downloaded again by the next tab.
    await resetServer();
    const again = await (await openTab()).load(await colourManifest({ name: 'model-b', encoder: 'b', decoder: 'b' }));
    expect(again.loaded!.source).to.equal('network');
  });

  it('a new version of a model (same name, new hash) evicts the old one once complete', async () => {
    const tab = await openTab();
    const v1 = await colourManifest({ name: 'versioned' });
    await tab.load(v1);
    const [old] = await Segmenter.cachedModels();
    // Version 2 changes the decoder (the refine decoder): a new identity under the same name.
    const v2 = await colourManifest({ name: 'versioned' });
    const refine = await (await fetch(`${GENERATED}refine.manifest.json`)).json();
    v2.decoder = { ...refine.decoder, parts: [{ ...refine.decoder.parts[0], url: served('decoder-refine.onnx') }] };
    const report = await tab.load(v2);
    expect(report.loaded!.source).to.equal('network');
    const now = await Segmenter.cachedModels();
    expect(now).to.have.length(1);
    expect(now[0].name).to.equal('versioned');
    expect(now[0].key).to.not.equal(old.key);
    expect(now[0].complete).to.equal(true);
  });

  it('an interrupted download is listed as incomplete with what it stored', async () => {
    // One request at a time and no retries: the encoder and decoder bytes 0-2559 get stored.
    const manifest = await colourManifest({ decoder: 'cut=3000', download: { parallel: 1, retries: 0 } });
    const report = await (await openTab()).load(manifest);
    expect(report.error!.code).to.equal('model-fetch-failed');
    const [entry] = await Segmenter.cachedModels();
    expect(entry).to.include({ name: 'delivery-colour', complete: false });
    expect(entry.bytes).to.be.at.least(ENCODER_BYTES + 2560);
  });
});

import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import type { ModelManifest } from '../../src/model/manifest.js';
import {
  DECODER_BYTES,
  GENERATED,
  bytesSent,
  closeTabs,
  colourManifest,
  openTab,
  resetServer,
  segmenterClass,
  served,
  servedLog,
  servedPath,
  servedSince,
  until,
} from './helpers.js';

const Segmenter = segmenterClass();

/** The mask of the colour model loaded plainly: what every repaired load must reproduce. */
async function referenceMask() {
  const tab = await openTab();
  // 'ref' is no server option: it only gives these URLs (and so this model) an identity of their own.
  await tab.load(await colourManifest({ name: 'reference', encoder: 'ref', decoder: 'ref' }));
  return tab.segment();
}

/** The mirror's packed colour model (1000-byte parts) with every part served with `options(url)`. */
async function packedManifest(options: (url: string) => string = () => '-'): Promise<ModelManifest> {
  const folder = 'mirror/sam2.1-hiera-tiny-ONNX/';
  const manifest = (await (await fetch(`${GENERATED}${folder}manifest.json`)).json()) as ModelManifest;
  for (const role of ['encoder', 'decoder'] as const) {
    for (const part of manifest[role].parts) part.url = served(`${folder}${part.url}`, options(part.url));
  }
  manifest.download = { stallTimeout: 2000 };
  return manifest;
}

const statuses = (log: Awaited<ReturnType<typeof servedLog>>, path: string) => (log[path] ?? []).map((e) => e.status);

describe('model delivery: interruptions, corruption, server errors', () => {
  beforeEach(async () => {
    await Segmenter.clearCache();
    await resetServer();
  });
  afterEach(async () => {
    closeTabs();
    await Segmenter.clearCache();
  });

  it('resumes a download cut half-way from the chunks already stored', async () => {
    const reference = await referenceMask();
    // One request at a time, no retries: the cut at byte 3000 ends the first load with
    // decoder bytes 0-2559 stored (ranges of 512).
    const manifest = await colourManifest({ decoder: 'cut=3000,once', download: { parallel: 1, retries: 0 } });
    const first = await (await openTab()).load(manifest);
    expect(first.error!.code).to.equal('model-fetch-failed');
    const partial = (await Segmenter.cachedModels()).find((m) => m.name === 'delivery-colour')!;
    expect(partial.complete).to.equal(false);
    const before = await servedLog();
    // A new tab (a later visit) asks only for what is missing.
    const tab = await openTab();
    const second = await tab.load(manifest);
    expect(second.error, JSON.stringify(second.error)).to.equal(null);
    expect(second.loaded!.source).to.equal('network');
    const log = servedSince(before, await servedLog());
    expect(log[servedPath('encoder.onnx')], 'the encoder was complete').to.equal(undefined);
    const decoder = log[servedPath('decoder.onnx', 'cut=3000,once')];
    expect(decoder.map((e) => e.range)[0], JSON.stringify({ before, log })).to.equal('bytes=2560-3071');
    expect(bytesSent(log, servedPath('decoder.onnx', 'cut=3000,once'))).to.equal(DECODER_BYTES - 2560);
    expect((await tab.segment()).checksum).to.equal(reference.checksum);
    expect((await Segmenter.cachedModels()).find((m) => m.name === 'delivery-colour')!.complete).to.equal(true);
  });

  it('a packed part is fetched in ranges too, so a cut inside a part resumes mid-part', async () => {
    const reference = await referenceMask();
    const manifest = await packedManifest((url) => (url === 'decoder.onnx.003' ? 'cut=600,once' : '-'));
    manifest.download = { rangeSize: 256, parallel: 1, retries: 0 };
    const first = await (await openTab()).load(manifest);
    expect(first.error!.code).to.equal('model-fetch-failed');
    const before = await servedLog();
    const tab = await openTab();
    const second = await tab.load(manifest);
    expect(second.error, JSON.stringify(second.error)).to.equal(null);
    const log = servedSince(before, await servedLog());
    const cutPart = Object.keys(log).find((path) => path.endsWith('decoder.onnx.003'))!;
    // Bytes 0-511 of the part were stored before the cut at 600: the resume starts at 512.
    expect(log[cutPart].map((e) => e.range)).to.deep.equal(['bytes=512-767', 'bytes=768-999']);
    for (const path of Object.keys(log)) expect(/decoder\.onnx\.00[3-6]$/.test(path), path).to.equal(true);
    expect((await tab.segment()).checksum).to.equal(reference.checksum);
  });

  it('a tab closed mid-download leaves chunks the next tab resumes from', async () => {
    // The range holding byte 3000 hangs (until the tab goes away); the others complete.
    const manifest = await colourManifest({ decoder: 'stall=3000,once', download: { stallTimeout: 60000 } });
    const first = await openTab();
    void first.load(manifest);
    const path = servedPath('decoder.onnx', 'stall=3000,once');
    await until(async () => ((await servedLog())[path]?.length ?? 0) >= 14, 'every decoder range was requested');
    await until(async () => ((await Segmenter.cachedModels())[0]?.bytes ?? 0) >= 1146 + DECODER_BYTES - 512, 'the other ranges are stored');
    closeTabs();
    const before = await servedLog();
    const report = await (await openTab()).load(manifest);
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    const log = servedSince(before, await servedLog());
    expect(Object.keys(log)).to.deep.equal([path]);
    expect(log[path].map((e) => e.range)).to.deep.equal(['bytes=2560-3071']);
  });

  it('a cut range is fetched again within the same load, and only that range', async () => {
    const tab = await openTab();
    const report = await tab.load(await colourManifest({ decoder: 'cut=3000,once' }));
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    const log = await servedLog();
    const path = servedPath('decoder.onnx', 'cut=3000,once');
    expect(log[path].length).to.equal(15);
    expect(log[path].filter((e) => e.range === 'bytes=2560-3071').map((e) => e.fault)).to.deep.equal(['cut', undefined]);
    expect(bytesSent(log, path)).to.equal(DECODER_BYTES + 3000 - 2560);
  });

  it('a cut streamed response (no Range, no Content-Length) is fetched again', async () => {
    const tab = await openTab();
    const report = await tab.load(await colourManifest({ decoder: 'norange,nolength,cut=3000,once' }));
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    const log = await servedLog();
    expect(log[servedPath('decoder.onnx', 'norange,nolength,cut=3000,once')].map((e) => e.fault)).to.deep.equal(['cut', undefined]);
    expect((await tab.segment()).area).to.be.above(0);
  });

  it('a stalled response is abandoned after stallTimeout and the range fetched again', async () => {
    const tab = await openTab();
    const report = await tab.load(await colourManifest({ decoder: 'stall=3000,once', download: { stallTimeout: 500 } }));
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    const log = await servedLog();
    const ranges = log[servedPath('decoder.onnx', 'stall=3000,once')].filter((e) => e.range === 'bytes=2560-3071');
    expect(ranges.map((e) => e.fault)).to.deep.equal(['stall', undefined]);
  });

  it('a flipped byte fails its part SHA-256: that part alone is deleted and fetched again', async () => {
    const reference = await referenceMask();
    await resetServer();
    const tab = await openTab();
    const report = await tab.load(await packedManifest((url) => (url === 'decoder.onnx.002' ? 'flip=500,once' : '-')));
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    const log = await servedLog();
    for (const [path, entries] of Object.entries(log)) {
      expect(entries.length, path).to.equal(path.endsWith('decoder.onnx.002') ? 2 : 1);
    }
    expect((await tab.segment()).checksum).to.equal(reference.checksum);
  });

  it('a flipped byte in an unsplit file fails the file SHA-256: the file is fetched again', async () => {
    const reference = await referenceMask();
    await resetServer();
    const tab = await openTab();
    const report = await tab.load(await colourManifest({ decoder: 'flip=3000,once' }));
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    const log = await servedLog();
    expect(log[servedPath('decoder.onnx', 'flip=3000,once')].length).to.equal(28);
    expect((await tab.segment()).checksum).to.equal(reference.checksum);
  });

  it('a byte that stays flipped fails with model-integrity and nothing of it is kept', async () => {
    const packed = await (await openTab()).load(await packedManifest((url) => (url === 'decoder.onnx.002' ? 'flip=500' : '-')));
    expect(packed.error!.code).to.equal('model-integrity');
    expect(packed.error!.message).to.match(/decoder\.onnx\.002/);
    const unsplit = await (await openTab()).load(await colourManifest({ decoder: 'flip=3000' }));
    expect(unsplit.error!.code).to.equal('model-integrity');
    expect(unsplit.loaded).to.equal(null);
    // Only verified encoder bytes (and the bookkeeping) remain: no decoder chunk survived.
    const entry = (await Segmenter.cachedModels()).find((m) => m.name === 'delivery-colour')!;
    expect(entry.complete).to.equal(false);
    expect(entry.bytes).to.be.below(1146 + 512);
  });

  it('HTTP 404 fails at once; HTTP 500 is retried, then fails with model-fetch-failed', async () => {
    const missing = await (await openTab()).load(await colourManifest({ decoder: 'status=404' }));
    expect(missing.error!.code).to.equal('model-fetch-failed');
    expect(missing.error!.message).to.match(/404/);
    let log = await servedLog();
    expect(statuses(log, servedPath('decoder.onnx', 'status=404'))).to.deep.equal([404]);
    const broken = await (await openTab()).load(await colourManifest({ decoder: 'status=500' }));
    expect(broken.error!.code).to.equal('model-fetch-failed');
    expect(broken.error!.message).to.match(/500/);
    log = await servedLog();
    expect(statuses(log, servedPath('decoder.onnx', 'status=500'))).to.deep.equal([500, 500, 500, 500]);
  });

  it('a passing HTTP 500 is retried transparently', async () => {
    const report = await (await openTab()).load(await colourManifest({ decoder: 'status=500,once' }));
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    const log = await servedLog();
    expect(statuses(log, servedPath('decoder.onnx', 'status=500,once')).slice(0, 2)).to.deep.equal([500, 206]);
  });
});

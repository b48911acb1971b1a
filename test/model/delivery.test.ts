import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import { ENGINE } from '../engines.js';
import {
  DECODER_BYTES,
  ENCODER_BYTES,
  MODEL_BYTES,
  bytesSent,
  closeTabs,
  colourManifest,
  openTab,
  resetServer,
  segmenterClass,
  servedLog,
  servedPath,
} from './helpers.js';

const Segmenter = segmenterClass();

/** Requests the server saw for a fixture file (any options). */
function requestsFor(log: Awaited<ReturnType<typeof servedLog>>, file: string) {
  return Object.entries(log)
    .filter(([path]) => path.endsWith(`/${file}`))
    .flatMap(([, entries]) => entries);
}

describe('model delivery: download, cache, fallbacks', () => {
  beforeEach(async () => {
    await Segmenter.clearCache();
    await resetServer();
  });
  afterEach(async () => {
    closeTabs();
    await Segmenter.clearCache();
  });

  it('a cold load fetches each file as parallel Range requests and stores it', async () => {
    const tab = await openTab();
    const report = await tab.load(await colourManifest());
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    expect(report.loaded!.source).to.equal('network');
    const log = await servedLog();
    // 512-byte ranges: the encoder in 3, the decoder in 14, each byte sent once.
    const encoder = log[servedPath('encoder.onnx')];
    const decoder = log[servedPath('decoder.onnx')];
    expect(encoder.map((e) => e.status)).to.deep.equal([206, 206, 206]);
    expect(decoder.length).to.equal(14);
    expect(decoder.every((e) => e.status === 206)).to.equal(true);
    expect(bytesSent(log, servedPath('encoder.onnx'))).to.equal(ENCODER_BYTES);
    expect(bytesSent(log, servedPath('decoder.onnx'))).to.equal(DECODER_BYTES);
    const cached = await Segmenter.cachedModels();
    expect(cached).to.have.length(1);
    expect(cached[0]).to.include({ name: 'delivery-colour', complete: true });
    expect(cached[0].bytes).to.be.at.least(MODEL_BYTES);
    expect(cached[0].key).to.match(/^delivery-colour@[0-9a-f]{16}$/);
    // Progress covers encoder + decoder, only moves forward and ends at exactly 100%.
    const download = report.progress.filter((p) => p.phase === 'download');
    expect(download.at(-1)).to.include({ loaded: MODEL_BYTES, total: MODEL_BYTES, phaseFraction: 1 });
    download.forEach((p, i) => {
      expect(p.total).to.equal(MODEL_BYTES);
      if (i) expect(p.fraction).to.be.at.least(download[i - 1].fraction);
      if (i) expect(p.loaded).to.be.at.least(download[i - 1].loaded);
    });
  });

  it('a warm load in a new tab reads the cache and requests no model bytes at all', async () => {
    const manifest = await colourManifest();
    const first = await openTab();
    expect((await first.load(manifest)).loaded!.source).to.equal('network');
    await resetServer();
    const second = await openTab();
    const report = await second.load(manifest);
    expect(report.loaded!.source).to.equal('cache');
    const counts = await (await fetch('/__requests')).json();
    const modelRequests = Object.keys(counts).filter((path) => path.includes('/__serve/'));
    expect(modelRequests, JSON.stringify(counts)).to.deep.equal([]);
    const stats = await second.testing.workerStats();
    expect(stats!.modelBytesFromNetwork).to.equal(0);
    expect(stats!.modelBytesFromCache).to.equal(MODEL_BYTES);
    // Cached bytes count as loaded at once: the first download event is already complete.
    const download = report.progress.filter((p) => p.phase === 'download');
    expect(download[0]).to.include({ loaded: MODEL_BYTES, total: MODEL_BYTES });
    // And the cached model segments exactly like the downloaded one.
    const [a, b] = [await first.segment(), await second.segment()];
    expect(b).to.deep.equal(a);
  });

  it('loads without sizes or hashes in the manifest: sizes come from Content-Range', async () => {
    const tab = await openTab();
    const report = await tab.load(await colourManifest({ sizes: false }));
    expect(report.loaded!.source).to.equal('network');
    const download = report.progress.filter((p) => p.phase === 'download');
    expect(download.at(-1)).to.include({ loaded: MODEL_BYTES, total: MODEL_BYTES, phaseFraction: 1 });
    const log = await servedLog();
    expect(requestsFor(log, 'decoder.onnx').every((e) => e.status === 206)).to.equal(true);
    expect((await tab.segment()).area).to.be.above(0);
  });

  for (const options of ['norange', 'norange,nolength', 'norange,gzip', 'norange,gzip,nolength']) {
    for (const sizes of [true, false]) {
      it(`falls back to one streamed request per file (${options}, ${sizes ? 'with' : 'without'} sizes)`, async () => {
        const tab = await openTab();
        const manifest = await colourManifest({ encoder: options, decoder: options, sizes });
        const report = await tab.load(manifest);
        expect(report.error, JSON.stringify(report.error)).to.equal(null);
        expect(report.loaded!.source).to.equal('network');
        const log = await servedLog();
        for (const file of ['encoder.onnx', 'decoder.onnx']) {
          const served = requestsFor(log, file);
          if (options.includes('gzip')) {
            // Chromium refuses a gzip'd answer to a Range request: one plain request follows.
            // Firefox accepts it (the whole file, decompressed) as the answer to the probe.
            expect(served.map((e) => e.range)).to.deep.equal(ENGINE === 'firefox' ? ['bytes=0-511'] : ['bytes=0-511', null]);
          } else {
            // The probe's 200 is the whole body: one request per file.
            expect(served.map((e) => e.status)).to.deep.equal([200]);
          }
        }
        const download = report.progress.filter((p) => p.phase === 'download');
        expect(download.at(-1)).to.include({ loaded: MODEL_BYTES, total: MODEL_BYTES, phaseFraction: 1 });
        download.forEach((p, i) => i && expect(p.fraction).to.be.at.least(download[i - 1].fraction));
        expect((await tab.segment()).area).to.be.above(0);
        // Stored in range-sized chunks as it streamed: the next tab needs no request.
        await resetServer();
        const again = await (await openTab()).load(manifest);
        expect(again.loaded!.source).to.equal('cache');
        expect(Object.keys(await servedLog())).to.deep.equal([]);
      });
    }
  }

  it('reports progress for every chunk while bytes flow: monotonic, ending at 1', async () => {
    const tab = await openTab();
    // ~1 KB/s per response, 4 at once, in 512-byte ranges: 3 encoder + 14 decoder chunks.
    const report = await tab.load(await colourManifest({ encoder: 'rate=1024', decoder: 'rate=1024' }));
    expect(report.loaded!.source).to.equal('network');
    const download = report.progress.filter((p) => p.phase === 'download');
    const chunks = Math.ceil(ENCODER_BYTES / 512) + Math.ceil(DECODER_BYTES / 512);
    const message = `loaded ${download.map((p) => p.loaded).join(' ')}`;
    // The rule, not a rate (a busy machine changes how often the interval fires): each completed
    // chunk moves the bar, so there are at least as many distinct byte counts as chunks.
    expect(new Set(download.map((p) => p.loaded)).size, message).to.be.at.least(chunks);
    download.forEach((p, i) => {
      expect(p.total, message).to.equal(MODEL_BYTES);
      expect(p.loaded, message).to.be.at.most(MODEL_BYTES);
      if (i) expect(p.loaded, message).to.be.at.least(download[i - 1].loaded);
      if (i) expect(p.fraction, message).to.be.at.least(download[i - 1].fraction);
    });
    expect(download.slice(0, -1).every((p) => p.phaseFraction! < 1), message).to.equal(true);
    expect(download.at(-1)).to.include({ loaded: MODEL_BYTES, total: MODEL_BYTES, phaseFraction: 1 });
    expect(report.progress.at(-1)!.fraction).to.equal(1);
  });

  it('an external-data model loads its .onnx_data files and segments like the plain one', async () => {
    const tab = await openTab();
    const plain = await tab.load(await colourManifest({ name: 'plain' }));
    expect(plain.loaded).to.not.equal(null);
    const reference = await tab.segment();
    const external = await tab.load(new URL('/test/fixtures/generated/external/manifest.json', location.origin).href);
    expect(external.error, JSON.stringify(external.error)).to.equal(null);
    expect(external.loaded!.model).to.equal('fixture-colour-external');
    expect(await tab.segment()).to.deep.equal(reference);
  });
});

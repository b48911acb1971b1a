import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import { presetFolder } from '../../src/model/presets.js';
import { ENGINE } from '../engines.js';
import { GENERATED, closeTabs, colourManifest, openTab, resetServer, segmenterClass, served, servedLog } from './helpers.js';

const Segmenter = segmenterClass();
const MIRROR = `${GENERATED}mirror/`;
const PACKED = `${MIRROR}sam2.1-hiera-tiny-ONNX/manifest.json`;

async function requestCounts(): Promise<Record<string, number>> {
  return (await fetch('/__requests')).json();
}

describe('model presets, model-base and packed models', () => {
  beforeEach(async () => {
    await Segmenter.clearCache();
    await resetServer();
  });
  afterEach(async () => {
    closeTabs();
    await Segmenter.clearCache();
  });

  it('model-base is a folder (repo appended) or a {repo} template', () => {
    const doc = 'https://example.org/page/';
    expect(presetFolder('tiny', 'https://cdn.example.com/sam2', doc)).to.equal('https://cdn.example.com/sam2/sam2.1-hiera-tiny-ONNX/');
    expect(presetFolder('large', '/models/', doc)).to.equal('https://example.org/models/sam2.1-hiera-large-ONNX/');
    expect(presetFolder('small', 'https://hf-mirror.example/onnx-community/{repo}/resolve/v2/', doc)).to.equal(
      'https://hf-mirror.example/onnx-community/sam2.1-hiera-small-ONNX/resolve/v2/',
    );
    expect(presetFolder('tiny', 'https://hf-mirror.example/{repo}/resolve/{revision}/', doc)).to.equal(
      'https://hf-mirror.example/sam2.1-hiera-tiny-ONNX/resolve/814a066640debee5a91e70aa401fb8e17e030503/',
    );
    expect(presetFolder('edgetam', '/m/', doc)).to.equal('https://example.org/m/EdgeTAM-ONNX/');
  });

  it('model="tiny" with model-base uses the mirror\'s packed manifest.json', async () => {
    const tab = await openTab();
    const report = await tab.load('tiny', { modelBase: MIRROR });
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    expect(report.loaded!.model).to.equal('fixture-colour-packed');
    const counts = await requestCounts();
    expect(counts[PACKED]).to.equal(1);
    const parts = Object.keys(counts).filter((path) => /\.onnx\.\d{3}$/.test(path));
    expect(parts.length).to.equal(2 + 7);
    expect(parts.every((path) => path.startsWith(`${MIRROR}sam2.1-hiera-tiny-ONNX/`) && counts[path] === 1)).to.equal(true);
  });

  it('Sam2Segmenter.modelBase points every element without model-base at the mirror', async () => {
    const tab = await openTab();
    tab.Segmenter.modelBase = `${MIRROR}{repo}/`;
    const report = await tab.load('tiny');
    expect(report.loaded!.model).to.equal('fixture-colour-packed');
  });

  it('without a manifest.json a preset fetches the onnx-community files under model-base', async () => {
    const tab = await openTab();
    const report = await tab.load('small', { modelBase: MIRROR });
    expect(report.error!.code).to.equal('model-fetch-failed');
    expect(report.error!.message).to.contain('/sam2.1-hiera-small-ONNX/onnx/');
    const counts = await requestCounts();
    const folder = `${MIRROR}sam2.1-hiera-small-ONNX/`;
    expect(counts[`${folder}manifest.json`]).to.equal(1);
    const files = ['vision_encoder.onnx', 'vision_encoder.onnx_data', 'prompt_encoder_mask_decoder.onnx', 'prompt_encoder_mask_decoder.onnx_data'];
    // The first 404 stops the load; every file it got to was asked for at its preset path.
    const asked = files.filter((file) => counts[`${folder}onnx/${file}`]);
    expect(asked.length).to.be.at.least(1);
    expect(Object.keys(counts).filter((p) => p.startsWith(folder) && !p.endsWith('manifest.json')).every((p) => files.some((f) => p === `${folder}onnx/${f}`))).to.equal(true);
  });

  it('a packed model loads part by part and masks identically to the unpacked model', async () => {
    const tab = await openTab();
    await tab.load(await colourManifest({ name: 'unpacked' }));
    const unpacked = await tab.segment();
    await resetServer();
    const packed = await tab.load(new URL(PACKED, location.origin).href);
    expect(packed.loaded!.model).to.equal('fixture-colour-packed');
    const download = packed.progress.filter((p) => p.phase === 'download');
    expect(download.at(-1)).to.include({ loaded: 1146 + 6709, total: 1146 + 6709, phaseFraction: 1 });
    expect(await tab.segment()).to.deep.equal(unpacked);
    // And from the cache in the next tab, identically again.
    await resetServer();
    const next = await openTab();
    expect((await next.load(new URL(PACKED, location.origin).href)).loaded!.source).to.equal('cache');
    expect(Object.keys(await requestCounts()).filter((p) => p.includes('.onnx'))).to.deep.equal([]);
    expect(await next.segment()).to.deep.equal(unpacked);
  });

  it('gzip\'d parts load: Content-Length is the compressed size and is not trusted', async () => {
    const manifest = await (await fetch(PACKED)).json();
    for (const role of ['encoder', 'decoder']) {
      for (const part of manifest[role].parts) part.url = served(`mirror/sam2.1-hiera-tiny-ONNX/${part.url}`, 'norange,gzip');
    }
    const tab = await openTab();
    const report = await tab.load(manifest);
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    const log = await servedLog();
    // Chromium refuses the gzip'd answer to the Range probe and one plain, gzip'd request per part
    // follows; Firefox takes the gzip'd 200 as the probe's answer (the whole part).
    for (const entries of Object.values(log)) expect(entries.map((e) => [e.range === null, e.status]).at(-1)).to.deep.equal([ENGINE !== 'firefox', 200]);
    expect((await tab.segment()).area).to.be.above(0);
  });
});

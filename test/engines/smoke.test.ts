/**
 * The smoke set every engine runs (WebKitGTK runs only this): segment, export, reload from the
 * persistent cache (OPFS, or IndexedDB where OPFS is missing), and a truthful thread count.
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { MaskChangeDetail, ModelLoadDetail } from '../../src/events.js';
import { SCENE, createSegmenter, groundTruth, iou, nextEvent, sceneBlob } from '../helpers.js';
import { closeTabs, colourManifest, openTab, resetServer, segmenterClass, servedLog, servedSince } from '../model/helpers.js';

const Segmenter = segmenterClass();
const [W, H] = [480, 320];

async function pixelsOf(blob: Blob): Promise<ImageData> {
  const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  return context.getImageData(0, 0, bitmap.width, bitmap.height);
}

describe(`smoke (${navigator.userAgent.match(/(Firefox|Chrome|Version)\/[\d.]+/)?.[0] ?? 'browser'})`, () => {
  afterEach(() => {
    closeTabs();
    document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove());
  });

  it('segments a click: the mask is the clicked object, and threads are what onnxruntime runs', async () => {
    const element = createSegmenter();
    const loaded = nextEvent<ModelLoadDetail>(element, 'model-load');
    // The red ellipse and the blue square (the red twin, whose colour is near the ellipse's, is
    // left out: which candidate wins for it depends on each engine's decode and resize).
    element.src = URL.createObjectURL(await sceneBlob(W, H, [SCENE[0], SCENE[2]]));
    const { detail } = await loaded;
    await nextEvent(element, 'image-encode');
    const result = await element.addPoint(SCENE[0].cx * W, SCENE[0].cy * H);
    expect(iou(result!.mask!, groundTruth(W, H, [SCENE[0]]))).to.be.at.least(0.97);
    // Threads need SharedArrayBuffer, not just crossOriginIsolated (WebKitGTK has the flag, not the global).
    const threadsPossible = self.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined';
    if (!threadsPossible) expect(detail.threads).to.equal(1);
    else expect(detail.threads).to.be.within(1, Math.max(1, navigator.hardwareConcurrency));
    expect((await testing.workerStats())!.threads).to.equal(detail.threads);
  });

  it('exports the mask and the cut-out as PNGs at natural size', async () => {
    const element = createSegmenter();
    element.src = URL.createObjectURL(await sceneBlob(W, H));
    await nextEvent(element, 'image-encode');
    const changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await element.addPoint(SCENE[0].cx * W, SCENE[0].cy * H);
    const mask = (await changed).detail.mask!;
    const maskPng = await pixelsOf(await element.toBlob({ kind: 'mask' }));
    const cutout = await pixelsOf(await element.toBlob({ kind: 'cutout' }));
    expect([maskPng.width, maskPng.height, cutout.width, cutout.height]).to.deep.equal([W, H, W, H]);
    let maskWrong = 0;
    let alphaWrong = 0;
    for (let i = 0; i < mask.data.length; i++) {
      if ((maskPng.data[4 * i] > 127 ? 1 : 0) !== mask.data[i]) maskWrong++;
      if (cutout.data[4 * i + 3] !== (mask.data[i] ? 255 : 0)) alphaWrong++;
    }
    expect(maskWrong).to.equal(0);
    expect(alphaWrong).to.equal(0);
  });

  it('a reload reads the model from the persistent cache: no model request, the same mask', async () => {
    await Segmenter.clearCache();
    await resetServer();
    const manifest = await colourManifest({ name: 'smoke-colour' });
    const first = await openTab();
    const report = await first.load(manifest);
    expect(report.error, JSON.stringify(report.error)).to.equal(null);
    // A persistent store works here: no storage warning.
    expect(report.warnings).to.deep.equal([]);
    expect(report.loaded!.source).to.equal('network');
    const store = (await first.testing.workerStats())!.modelStore;
    expect(['opfs', 'indexeddb']).to.include(store);
    const reference = await first.segment();
    closeTabs();

    const before = await servedLog();
    const second = await openTab();
    const again = await second.load(manifest);
    expect(again.loaded!.source).to.equal('cache');
    expect(servedSince(before, await servedLog())).to.deep.equal({});
    expect((await second.segment()).checksum).to.equal(reference.checksum);
    console.log(`[smoke] model cache: ${store}`);
    await second.Segmenter.clearCache();
  });
});

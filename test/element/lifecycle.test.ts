import { expect } from '@esm-bundle/chai';
import { sendMouse } from '@web/test-runner-commands';
import '../../dist/sam2-segmenter.js';
import { colourManifest } from '../model/helpers.js';
import type { ProgressDetail } from '../../src/events.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import {
  COLOUR_MODEL,
  SCENE,
  createSegmenter,
  drawScene,
  groundTruth,
  iou,
  maskAt,
  nextEvent,
  recordEvents,
  requestCounts,
  resetRequestCounts,
  sceneBlob,
  sceneUrl,
  settle,
} from '../helpers.js';

const [W, H] = [1000, 600];

async function expectRedMask(element: Sam2Segmenter) {
  const result = await element.addPoint(SCENE[0].cx * W, SCENE[0].cy * H);
  expect(result!.mask!.width).to.equal(W);
  expect(iou(result!.mask!, groundTruth(W, H, [SCENE[0], SCENE[1]]))).to.be.at.least(0.97);
}

describe('<sam2-segmenter> lifecycle and inputs', () => {
  afterEach(() => document.querySelectorAll('sam2-segmenter, .spacer').forEach((el) => el.remove()));

  it('status goes idle → loading → encoding → ready and is reflected as an attribute', async () => {
    const element = document.createElement('sam2-segmenter');
    const seen: string[] = [];
    const observer = new MutationObserver(() => {
      const status = element.getAttribute('status')!;
      if (seen.at(-1) !== status) seen.push(status);
    });
    observer.observe(element, { attributes: true, attributeFilter: ['status'] });
    element.model = COLOUR_MODEL;
    element.style.display = 'none'; // lazy and invisible: nothing starts
    document.body.append(element);
    await element.updateComplete;
    await settle(100);
    expect(element.status).to.equal('idle');
    expect(element.getAttribute('status')).to.equal('idle');
    element.src = await sceneUrl(W, H);
    element.loading = 'eager';
    await nextEvent(element, 'image-encode');
    await element.updateComplete;
    observer.disconnect();
    expect(seen[0]).to.equal('idle');
    expect(seen).to.include('loading');
    expect(seen.at(-1)).to.equal('ready');
    expect(seen.indexOf('loading')).to.be.below(seen.lastIndexOf('ready'));
  });

  it('progress: one fraction per job that never decreases and ends at 1, the phase fraction inside it', async () => {
    const element = document.createElement('sam2-segmenter');
    element.loading = 'eager';
    const log = recordEvents(element, ['progress']);
    document.body.append(element);
    // Model files under URLs of their own: a model this worker has not loaded yet, downloaded.
    const fresh = `fresh${Date.now()}`;
    element.model = await colourManifest({ name: fresh, encoder: fresh, decoder: fresh });
    element.src = await sceneUrl(W, H);
    await nextEvent(element, 'image-encode');
    const events = log.of('progress') as CustomEvent<ProgressDetail>[];
    expect(events.length).to.be.above(0);
    const phases = events.map((e) => e.detail.phase);
    // Two jobs: the model load (download, then compile) and the image's encode.
    const firstEncode = phases.indexOf('encode');
    expect(firstEncode, phases.join()).to.be.above(0);
    const jobs = [events.slice(0, firstEncode), events.slice(firstEncode)];
    expect([...new Set(jobs[0].map((e) => e.detail.phase))]).to.deep.equal(['download', 'compile']);
    expect([...new Set(jobs[1].map((e) => e.detail.phase))]).to.deep.equal(['encode']);
    for (const job of jobs) {
      const fractions = job.map((e) => e.detail.fraction);
      fractions.forEach((f, i) => i && expect(f, fractions.join()).to.be.at.least(fractions[i - 1]));
      expect(fractions[0]).to.be.below(1);
      expect(fractions.at(-1)).to.equal(1);
      for (const { detail } of job) expect(detail.phaseFraction).to.be.within(0, 1);
    }
    // The bar does not jump back from download to compile.
    const lastDownload = jobs[0].filter((e) => e.detail.phase === 'download').at(-1)!.detail;
    const firstCompile = jobs[0].find((e) => e.detail.phase === 'compile')!.detail;
    expect(lastDownload.phaseFraction).to.equal(1);
    expect(firstCompile.fraction).to.be.at.least(lastDownload.fraction);
    expect(lastDownload.fraction).to.be.below(1);
  });

  it('every new image reports its encode progress from 0 to 1 again', async () => {
    const element = document.createElement('sam2-segmenter');
    element.loading = 'eager';
    element.model = COLOUR_MODEL;
    document.body.append(element);
    for (const [width, height] of [[W, H], [H, W], [W + 10, H]]) {
      const log = recordEvents(element, ['progress']);
      element.src = await sceneUrl(width, height);
      await nextEvent(element, 'image-encode');
      log.stop();
      const encode = (log.of('progress') as CustomEvent<ProgressDetail>[]).filter((e) => e.detail.phase === 'encode').map((e) => e.detail.fraction);
      expect(encode, `${width}x${height}`).to.deep.equal([0, 1]);
    }
  });

  it('loading="lazy" waits until the element nears the viewport', async () => {
    const spacer = Object.assign(document.createElement('div'), { className: 'spacer' });
    spacer.style.height = '5000px';
    document.body.append(spacer);
    await resetRequestCounts();
    const element = document.createElement('sam2-segmenter');
    const model = `${COLOUR_MODEL}?lazy=${Date.now()}`;
    element.model = model;
    element.src = await sceneUrl(W, H);
    document.body.append(element);
    await settle(500);
    const manifestPath = new URL(model).pathname;
    expect((await requestCounts())[manifestPath] ?? 0).to.equal(0);
    expect(element.status).to.equal('idle');
    element.scrollIntoView();
    await nextEvent(element, 'image-encode');
    expect((await requestCounts())[manifestPath]).to.equal(1);
    window.scrollTo(0, 0);
  });

  it('loading="lazy" also starts on the first method call', async () => {
    const spacer = Object.assign(document.createElement('div'), { className: 'spacer' });
    spacer.style.height = '5000px';
    document.body.append(spacer);
    const element = document.createElement('sam2-segmenter');
    element.model = COLOUR_MODEL;
    element.src = await sceneUrl(W, H);
    document.body.append(element);
    const result = await element.segment({ points: [{ x: SCENE[0].cx * W, y: SCENE[0].cy * H, label: 1 }] });
    expect(iou(result.mask!, groundTruth(W, H, [SCENE[0], SCENE[1]]))).to.be.at.least(0.97);
  });

  it('disabled ignores pointer prompting but methods still work', async () => {
    const element = createSegmenter({ style: 'width: 500px' });
    element.disabled = true;
    element.src = await sceneUrl(W, H);
    await nextEvent(element, 'image-encode');
    const frame = element.shadowRoot!.querySelector('.frame')!.getBoundingClientRect();
    let changes = 0;
    element.addEventListener('mask-change', () => changes++);
    await sendMouse({ type: 'click', position: [Math.round(frame.left + frame.width * SCENE[0].cx), Math.round(frame.top + frame.height * SCENE[0].cy)] });
    await settle(300);
    expect(changes).to.equal(0);
    await expectRedMask(element);
    expect(changes).to.equal(1);
  });

  it('accepts a Blob, an ImageData, a canvas, an <img> and an ImageBitmap as `image`', async () => {
    const blob = await sceneBlob(W, H);
    const canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    canvas.getContext('2d')!.putImageData(drawScene(W, H), 0, 0);
    const img = new Image();
    img.src = URL.createObjectURL(blob);
    await img.decode();
    const inputs = {
      blob,
      imageData: drawScene(W, H),
      canvas,
      img,
      bitmap: await createImageBitmap(blob),
    };
    for (const [name, input] of Object.entries(inputs)) {
      const element = createSegmenter();
      element.image = input;
      const { detail } = await nextEvent<{ width: number; height: number }>(element, 'image-encode');
      expect([detail.width, detail.height], name).to.deep.equal([W, H]);
      await expectRedMask(element);
      // Cut-outs work for pixel sources too (the worker keeps their pixels).
      const cutout = await createImageBitmap(await element.toBlob({ kind: 'cutout' }));
      expect([cutout.width, cutout.height], name).to.deep.equal([W, H]);
      element.remove();
    }
  });

  it('a new image clears the prompts and the mask of the old one', async () => {
    const element = createSegmenter();
    element.src = await sceneUrl(W, H);
    await nextEvent(element, 'image-encode');
    await element.addPoint(SCENE[0].cx * W, SCENE[0].cy * H);
    const cleared = nextEvent<{ mask: null }>(element, 'mask-change');
    element.src = await sceneUrl(600, 1000);
    expect((await cleared).detail.mask).to.equal(null);
    expect(element.prompts.points).to.have.length(0);
    await nextEvent(element, 'image-encode');
    const result = await element.addPoint(SCENE[2].cx * 600, SCENE[2].cy * 1000);
    expect(result!.mask!.width).to.equal(600);
    expect(maskAt(result!.mask!, SCENE[2].cx * 600, SCENE[2].cy * 1000)).to.equal(1);
  });
});

/**
 * The element in and out of the document: what a removal stops and releases, what a synchronous
 * move keeps, and that a re-inserted element works (and repaints) like a new one.
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { MaskChangeDetail } from '../../src/events.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { colourManifest } from '../model/helpers.js';
import { SCENE, createSegmenter, groundTruth, iou, maskAt, nextEvent, recordEvents, sceneUrl, settle } from '../helpers.js';

const [W, H] = [1000, 600];
const RED = SCENE[0];
/** Polls until the condition holds (the element works asynchronously). */
async function until(condition: () => unknown, what: string) {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await settle(20);
  }
  throw new Error(`timed out waiting until ${what}`);
}
const frames = (n = 2) => new Promise<void>((resolve) => {
  const step = () => (n-- <= 0 ? resolve() : requestAnimationFrame(step));
  step();
});

/** Alpha of the overlay canvas at an image pixel (0 = nothing painted there). */
function overlayAlpha(element: Sam2Segmenter, x: number, y: number) {
  const canvas = element.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.overlay')!;
  const rect = canvas.getBoundingClientRect();
  const { width, height } = element.imageSize!;
  const s = Math.min(rect.width / width, rect.height / height);
  const cx = (rect.width - width * s) / 2 + x * s;
  const cy = (rect.height - height * s) / 2 + y * s;
  const dpr = canvas.width / rect.width;
  return canvas.getContext('2d')!.getImageData(Math.round(cx * dpr), Math.round(cy * dpr), 1, 1).data[3];
}

async function ready(style = 'width: 600px') {
  const element = createSegmenter({ style });
  element.src = await sceneUrl(W, H);
  await nextEvent(element, 'image-encode');
  return element;
}

describe('<sam2-segmenter> in and out of the document', () => {
  afterEach(() => document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove()));

  it('a removed and re-inserted element still repaints when it is resized', async () => {
    const element = await ready();
    await element.addPoint(RED.cx * W, RED.cy * H);
    await frames();
    expect(overlayAlpha(element, RED.cx * W, RED.cy * H)).to.be.above(0);
    element.remove();
    await settle(50);
    document.body.append(element);
    await until(() => element.status === 'ready' && element.result?.mask, 'ready with a mask again');
    element.style.width = '300px';
    await frames(3);
    const canvas = element.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.overlay')!;
    expect(canvas.width).to.equal(Math.round(300 * devicePixelRatio));
    // The mask is painted where the image now is.
    expect(overlayAlpha(element, RED.cx * W, RED.cy * H)).to.be.above(0);
    expect(overlayAlpha(element, SCENE[2].cx * W, SCENE[2].cy * H)).to.equal(0);
  });

  it('a hover preview asked for just before the removal is never painted', async () => {
    const element = await ready();
    element.hoverPreview = true;
    const frame = element.shadowRoot!.querySelector('.frame')!;
    const box = frame.getBoundingClientRect();
    const before = (await testing.workerStats())!.decodes;
    frame.dispatchEvent(new PointerEvent('pointermove', { clientX: box.left + RED.cx * box.width, clientY: box.top + RED.cy * box.height, pointerId: 1, pointerType: 'mouse', bubbles: true, composed: true }));
    element.remove();
    // Let the preview's decode finish in the worker.
    for (let i = 0; i < 100 && (await testing.workerStats())!.decodes === before; i++) await settle(20);
    await settle(100);
    document.body.append(element);
    await until(() => element.status === 'ready', 'ready again');
    element.requestUpdate(); // an update repaints the overlay
    await element.updateComplete;
    await frames(2);
    expect(overlayAlpha(element, RED.cx * W, RED.cy * H)).to.equal(0);
    expect(element.result).to.equal(null);
  });

  it('a synchronous move (remove and insert in one task) keeps the encode', async () => {
    const element = await ready();
    const before = (await testing.workerStats())!;
    const log = recordEvents(element, ['image-encode', 'model-load', 'progress']);
    const holder = document.createElement('div');
    document.body.append(holder);
    element.remove();
    holder.append(element);
    await settle(300);
    expect(element.status).to.equal('ready');
    const result = await element.addPoint(RED.cx * W, RED.cy * H);
    expect(iou(result!.mask!, groundTruth(W, H, [RED, SCENE[1]]))).to.be.at.least(0.97);
    const after = (await testing.workerStats())!;
    expect(log.events.map((e) => e.type)).to.deep.equal([]);
    expect(after.imagesEncoded).to.equal(before.imagesEncoded);
    expect(after.embeddingCacheHits).to.equal(before.embeddingCacheHits);
    holder.remove();
  });

  it('removal during a decode rejects the call with `aborted`; re-inserted, the element shows the point with its mask', async () => {
    const element = await ready();
    const pending = element.addPoint(RED.cx * W, RED.cy * H);
    element.remove();
    const error = await pending.catch((e) => e);
    expect(error.code).to.equal('aborted');
    const remasked = nextEvent<MaskChangeDetail>(element, 'mask-change');
    document.body.append(element);
    const { detail } = await remasked;
    expect(detail.prompts.points).to.have.length(1);
    expect(iou(detail.mask!, groundTruth(W, H, [RED, SCENE[1]]))).to.be.at.least(0.97);
    expect(element.prompts.points).to.have.length(1);
    expect(maskAt(element.result!.mask!, RED.cx * W, RED.cy * H)).to.equal(1);
    await frames();
    expect(overlayAlpha(element, RED.cx * W, RED.cy * H)).to.be.above(0);
  });

  it('a detached element emits nothing: no progress, model-load or image-encode after its removal', async () => {
    // The encoder answers after 1.5 s, so the load is still in flight when the element goes.
    const manifest = await colourManifest({ name: `detached-${Date.now()}`, encoder: 'delay=1500', download: { stallTimeout: 10000 } });
    const src = await sceneUrl(W, H);
    const element = createSegmenter();
    element.model = manifest;
    element.src = src;
    await nextEvent(element, 'progress');
    const log = recordEvents(element, ['progress', 'model-load', 'image-encode', 'mask-change', 'error']);
    element.remove();
    // Another element loads the same model and image to the end: the work the first one started
    // has certainly finished by then.
    const other = createSegmenter();
    other.model = manifest;
    other.src = src;
    await nextEvent(other, 'image-encode');
    await settle(100);
    expect(log.events.map((e) => e.type)).to.deep.equal([]);
  });

  it('images are released when their elements go: imagesHeld returns to where it was', async () => {
    await settle(50); // the previous test's element is released a microtask after its removal
    const baseline = (await testing.workerStats())?.imagesHeld ?? 0;
    for (let i = 0; i < 5; i++) {
      const element = await ready();
      await element.addPoint(RED.cx * W, RED.cy * H);
      element.remove();
    }
    await settle(100);
    expect((await testing.workerStats())!.imagesHeld).to.equal(baseline);
  });
});

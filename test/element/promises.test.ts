/**
 * Every method promise settles, with the right image's mask or none (issue 11, items 4-6), and
 * clicks made before the image is ready are kept, drawn as pending and applied (issue 10, item 7).
 */
import { expect } from '@esm-bundle/chai';
import { resetMouse, sendMouse } from '@web/test-runner-commands';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { ErrorDetail, MaskChangeDetail } from '../../src/events.js';
import type { Sam2Error } from '../../src/errors.js';
import { colourManifest } from '../model/helpers.js';
import { SCENE, createSegmenter, groundTruth, iou, maskAt, nextEvent, recordEvents, sceneUrl, settle } from '../helpers.js';

const [W, H] = [1000, 600];
const [RED, TWIN, BLUE] = SCENE;

/** The promise's outcome, or 'pending' if it hasn't settled within `ms` (a hang, not a slow answer). */
async function outcome<T>(promise: Promise<T>, ms = 5000): Promise<{ value?: T; code?: string } | 'pending'> {
  const timeout = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms));
  return Promise.race([promise.then((value) => ({ value }), (error: Sam2Error) => ({ code: error.code ?? String(error) })), timeout]);
}

async function ready(style = 'width: 600px') {
  const element = createSegmenter({ style });
  element.src = await sceneUrl(W, H);
  await nextEvent(element, 'image-encode');
  return element;
}

describe('<sam2-segmenter> method promises', () => {
  afterEach(async () => {
    await resetMouse();
    document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove());
  });

  it('without an image every prompt method rejects not-ready at once, keeps nothing, and a later image brings no spurious error', async () => {
    const element = createSegmenter();
    await element.updateComplete;
    const calls = [
      element.addPoint(10, 10),
      element.setBox({ x1: 0, y1: 0, x2: 5, y2: 5 }),
      element.setPrompts({ points: [{ x: 1, y: 1, label: 1 }] }),
      element.segment({ points: [{ x: 1, y: 1, label: 1 }] }),
    ];
    for (const call of calls) expect(await outcome(call)).to.deep.equal({ code: 'not-ready' });
    expect(element.prompts).to.deep.equal({ points: [], box: null });
    const log = recordEvents(element, ['error', 'mask-change']);
    element.src = await sceneUrl(W, H);
    await nextEvent(element, 'image-encode');
    await settle(200);
    expect(log.events.map((e) => `${e.type} ${JSON.stringify((e as CustomEvent).detail?.code ?? '')}`)).to.deep.equal([]);
  });

  it('after the model failed, calls reject not-ready (the failure as cause) instead of waiting', async () => {
    const element = createSegmenter({ model: '/__fail/404/manifest.json' });
    const failed = nextEvent<ErrorDetail>(element, 'error');
    element.src = await sceneUrl(W, H);
    expect((await failed).detail.code).to.equal('model-fetch-failed');
    const result = await outcome(element.addPoint(10, 10));
    expect(result).to.deep.equal({ code: 'not-ready' });
    const error = (await element.segment({ points: [{ x: 1, y: 1, label: 1 }] }).catch((e) => e)) as Sam2Error;
    expect((error.cause as Sam2Error).code).to.equal('model-fetch-failed');
    expect(element.prompts.points).to.have.length(0);
  });

  it("calls waiting for the image when it fails settle with the image's error", async () => {
    const element = createSegmenter();
    element.src = '/__fail/404/missing.png';
    const pending = element.addPoint(10, 10);
    expect(await outcome(pending)).to.deep.equal({ code: 'image-load-failed' });
  });

  it("in a src churn, superseded calls resolve null and never with another image's mask", async () => {
    const element = createSegmenter();
    const sizes = Array.from({ length: 10 }, (_, i) => [400 + 20 * i, 300] as const);
    const urls = await Promise.all(sizes.map(([w, h]) => sceneUrl(w, h)));
    const calls: Array<Promise<unknown>> = [];
    for (const [i, [w, h]] of sizes.entries()) {
      element.src = urls[i];
      calls.push(element.addPoint(RED.cx * w, RED.cy * h));
      await settle(i % 3 === 0 ? 0 : 30); // some calls reach the queue, some a ready image
    }
    const results = await Promise.all(calls.map((c) => outcome(c, 20000)));
    results.forEach((r, i) => {
      expect(r, `call ${i}`).to.not.equal('pending');
      const value = (r as { value?: { mask: { width: number } } | null }).value;
      if (value) expect(value.mask.width, `call ${i}: its own image's mask`).to.equal(sizes[i][0]);
    });
    const last = (results.at(-1) as { value: { mask: { width: number; height: number } } }).value;
    expect(last.mask).to.include({ width: sizes[9][0], height: 300 });
    // Every earlier call was superseded by the next image.
    expect(results.slice(0, 9).every((r) => (r as { value?: unknown }).value === null)).to.equal(true);
  });

  it('a call superseded by a new image resolves null; segment() rejects aborted', async () => {
    const element = await ready();
    const next = await sceneUrl(600, 1000);
    const point = element.addPoint(RED.cx * W, RED.cy * H);
    const segmented = element.segment({ points: [{ x: RED.cx * W, y: RED.cy * H, label: 1 }] });
    element.src = next;
    expect(await outcome(point)).to.deep.equal({ value: null });
    expect(await outcome(segmented)).to.deep.equal({ code: 'aborted' });
  });

  it('200 un-awaited addPoint calls run at most two decodes and all settle: the last with every point', async () => {
    const element = await ready();
    const before = (await testing.workerStats())!;
    const log = recordEvents(element, ['mask-change']);
    const calls = Array.from({ length: 200 }, (_, i) => element.addPoint(20 + i * 4, 20 + (i % 50) * 10, i % 2 === 0 ? 1 : 0));
    const results = await Promise.all(calls.map((c) => outcome(c, 30000)));
    const after = (await testing.workerStats())!;
    expect(after.decodes - before.decodes).to.be.at.most(2);
    expect(results.slice(0, 199).every((r) => (r as { value?: unknown }).value === null)).to.equal(true);
    const last = (results[199] as { value: { prompts: { points: unknown[] } } }).value;
    expect(last.prompts.points).to.have.length(200);
    expect(log.of('mask-change')).to.have.length(1);
  });

  it('bad arguments reject invalid-argument and change nothing: labels other than 0/1, points outside, non-finite box corners', async () => {
    const element = await ready();
    await element.addPoint(RED.cx * W, RED.cy * H);
    const bad = [
      element.addPoint(10, 10, 7 as 1),
      element.addPoint(10, 10, '0' as unknown as 0),
      element.addPoint(10, 10, -1 as 0),
      element.addPoint(W + 1, 10),
      element.addPoint(10, -1),
      element.addPoint(Number.NaN, 10),
      element.setBox({ x1: 0, y1: 0, x2: Infinity, y2: 10 }),
      element.setBox({ x1: 0, y1: Number.NaN, x2: 10, y2: 10 }),
      element.setPrompts({ points: [{ x: 10, y: 10, label: 2 as 1 }] }),
      element.segment({ box: { x1: -5, y1: 0, x2: 10, y2: 10 } }),
    ];
    for (const [i, call] of bad.entries()) expect(await outcome(call), `call ${i}`).to.deep.equal({ code: 'invalid-argument' });
    expect(element.prompts.points).to.deep.equal([{ x: RED.cx * W, y: RED.cy * H, label: 1 }]);
    expect(element.prompts.box).to.equal(null);
    // The element is still usable, and the far edge of the image is inside it.
    expect((await element.addPoint(W, H, 0))!.prompts.points).to.have.length(2);
  });

  it('before the size is known, coordinates are checked when the image is ready: an outside point rejects then, the others apply', async () => {
    const element = createSegmenter();
    element.src = await sceneUrl(W, H);
    const inside = element.addPoint(RED.cx * W, RED.cy * H);
    const outside = element.addPoint(W + 50, 10);
    const label = element.addPoint(10, 10, 3 as 1); // a bad label is refused at once
    expect(await outcome(label, 100)).to.deep.equal({ code: 'invalid-argument' });
    expect(await outcome(outside)).to.deep.equal({ code: 'invalid-argument' });
    const result = (await outcome(inside)) as { value: { prompts: { points: unknown[] }; mask: unknown } };
    expect(result.value.prompts.points).to.have.length(1);
    expect(iou(element.result!.mask!, groundTruth(W, H, [RED, TWIN]))).to.be.at.least(0.97);
  });

  it('a click on the shown image before the encode is done is drawn as pending and applied once ready', async () => {
    // The encoder file answers after 1.5 s: the image shows long before it can be segmented.
    const element = createSegmenter({ style: 'width: 600px' });
    element.model = await colourManifest({ name: `pending-${Date.now()}`, encoder: 'delay=1500', download: { stallTimeout: 10000 } });
    element.src = await sceneUrl(W, H);
    const img = () => element.shadowRoot!.querySelector<HTMLImageElement>('img.image');
    for (let i = 0; i < 200 && !img()?.naturalWidth; i++) await settle(10);
    await element.updateComplete;
    expect(element.status).to.equal('loading');
    const frame = element.shadowRoot!.querySelector('.frame')!.getBoundingClientRect();
    const s = frame.width / W;
    const [x, y] = [Math.round(frame.left + BLUE.cx * W * s), Math.round(frame.top + BLUE.cy * H * s)];
    const changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendMouse({ type: 'click', position: [x, y] });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    // Pending: a hollow ring in the positive colour (#16a34a), nothing filled at its centre.
    const canvas = element.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.overlay')!;
    const dpr = canvas.width / canvas.getBoundingClientRect().width;
    const pixel = (px: number, py: number) => Array.from(canvas.getContext('2d')!.getImageData(Math.round((px - frame.left) * dpr), Math.round((py - frame.top) * dpr), 1, 1).data);
    expect(pixel(x, y)[3]).to.equal(0);
    const [r, g, b, a] = pixel(x + 6, y);
    expect(a, 'the ring').to.be.above(200);
    expect(g - Math.max(r, b), `the ring is green (${r}, ${g}, ${b})`).to.be.above(60);
    expect(element.prompts.points).to.have.length(1);
    expect(element.status).to.equal('loading');
    const { detail } = await changed;
    expect(detail.source).to.equal('user');
    expect(detail.prompts.points).to.have.length(1);
    expect(iou(detail.mask!, groundTruth(W, H, [BLUE]))).to.be.at.least(0.97);
    await new Promise((resolve) => requestAnimationFrame(resolve));
    // Applied: the marker is filled now.
    expect(pixel(x, y).slice(0, 3)).to.deep.equal([22, 163, 74]);
    expect(maskAt(element.result!.mask!, BLUE.cx * W, BLUE.cy * H)).to.equal(1);
  });
});

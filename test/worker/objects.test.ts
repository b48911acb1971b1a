/**
 * Protocol v2, per-object state: the worker keeps each object's candidates and mask per image
 * handle, and refinement, render and every export work by handle, with the same results as
 * when the page sent logits and masks (v1).
 */
import { expect } from '@esm-bundle/chai';
import type { WorkerClient } from '../../src/client/worker-client.js';
import { upsampleLogitsTo } from '../../src/mask/upsample.js';
import type { DecodeRequest, DecodeResult } from '../../src/worker/protocol.js';
import { groundTruth, iou, REFINE_MODEL, SCENE } from '../helpers.js';
import { readPng } from '../mask/png-reader.js';
import { click, encodeScene, loadModel, outcome, startWorker } from './worker-helpers.js';

const [W, H] = [400, 300];
const PLANE = 256 * 256;
const RED_AT = [0.32, 0.42] as const; // the red ellipse (SCENE[0])
const TWIN_AT = [0.75, 0.3] as const; // the red twin rectangle (SCENE[1])
const BLUE_AT = [0.72, 0.75] as const; // the blue rectangle (SCENE[2])

const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());
const candidateOf = (result: DecodeResult) => result.lowResLogits.slice(result.maskIndex * PLANE, (result.maskIndex + 1) * PLANE);

describe('worker: objects kept per image (protocol v2)', () => {
  let client: WorkerClient;
  let modelKey: string;
  const decode = (imageKey: string, objectId: number | undefined, at: readonly [number, number], extra: Partial<DecodeRequest> = {}) =>
    client.request({ type: 'decode', modelKey, imageKey, objectId, prompts: click(at[0], at[1], W, H), threshold: 0, maskIndex: null, ...extra });

  before(async () => {
    client = startWorker();
    modelKey = (await loadModel(client)).key;
    await encodeScene(client, modelKey, 'scene', W, H);
  });
  after(() => client.terminate());

  it('exports by handle give the same bytes as exports of the mask sent by the page', async () => {
    const result = await decode('scene', 1, RED_AT);
    const mask = { width: result.width, height: result.height, data: result.data };
    for (const kind of ['mask', 'cutout'] as const) {
      const common = { type: 'export-image' as const, imageKey: 'scene', kind, format: 'image/png' as const, crop: kind === 'cutout', feather: kind === 'cutout' ? 3 : 0 };
      const byHandle = await bytesOf(await client.request({ ...common, objectId: 1 }));
      const sent = await bytesOf(await client.request({ ...common, mask }));
      expect(byHandle.length, kind).to.be.greaterThan(100);
      expect(byHandle, kind).to.deep.equal(sent);
    }
    expect(await client.request({ type: 'polygons', imageKey: 'scene', objectId: 1, tolerance: 1 })).to.deep.equal(
      await client.request({ type: 'polygons', mask, tolerance: 1 }),
    );
    const rle = await client.request({ type: 'coco-rle', imageKey: 'scene', objectId: 1 });
    expect(rle).to.deep.equal(await client.request({ type: 'coco-rle', mask }));
    expect(rle.area).to.equal(result.area);
  });

  it('decoding one object leaves another object\'s kept mask bit-identical', async () => {
    await decode('scene', 1, RED_AT);
    const before = await client.request({ type: 'coco-rle', imageKey: 'scene', objectId: 1 });
    await decode('scene', 2, BLUE_AT);
    await decode('scene', 2, TWIN_AT);
    await client.request({ type: 'render', imageKey: 'scene', objectId: 2, threshold: 0, maskIndex: 2 });
    expect(await client.request({ type: 'coco-rle', imageKey: 'scene', objectId: 1 })).to.deep.equal(before);
  });

  it('render by handle switches candidate / threshold exactly as rendering the sent logits', async () => {
    const decoded = await decode('scene', 3, RED_AT);
    expect(decoded.maskIndex).to.equal(1); // highest predicted IoU
    const strict = decoded.lowResLogits.slice(0, PLANE);
    const rendered = await client.request({ type: 'render', imageKey: 'scene', objectId: 3, threshold: 1, maskIndex: 0 });
    const v1 = await client.request({ type: 'render', logits: strict, width: W, height: H, threshold: 1 });
    expect(rendered.maskIndex).to.equal(0);
    expect(rendered.scores).to.deep.equal(decoded.scores);
    expect(rendered.data).to.deep.equal(v1.data);
    expect([rendered.area, rendered.bbox]).to.deep.equal([v1.area, v1.bbox]);
    // Candidate 0 holds only the red ellipse, candidate 1 also the red twin.
    expect(iou({ width: W, height: H, data: rendered.data }, groundTruth(W, H, [SCENE[0]]))).to.be.greaterThan(0.95);
    expect(rendered.area).to.be.lessThan(decoded.area);
    // What is kept follows: an export by handle is of candidate 0 now; null keeps it.
    expect((await client.request({ type: 'coco-rle', imageKey: 'scene', objectId: 3 })).area).to.equal(rendered.area);
    const again = await client.request({ type: 'render', imageKey: 'scene', objectId: 3, threshold: 1, maskIndex: null });
    expect(again.maskIndex).to.equal(0);
  });

  it('refine: true feeds the object\'s kept chosen logits as mask_input, like the v1 maskInput', async () => {
    const refineKey = (await loadModel(client, REFINE_MODEL)).key;
    await encodeScene(client, refineKey, 'refine-scene', W, H);
    const first = await client.request({ type: 'decode', modelKey: refineKey, imageKey: 'refine-scene', objectId: 1, prompts: click(...RED_AT, W, H), threshold: 0, maskIndex: null });
    const prompts = { points: [...click(...RED_AT, W, H).points, ...click(...BLUE_AT, W, H).points], box: null };
    const common = { type: 'decode' as const, modelKey: refineKey, imageKey: 'refine-scene', prompts, threshold: 0, maskIndex: null };
    const v1 = await client.request({ ...common, maskInput: candidateOf(first) });
    const byHandle = await client.request({ ...common, objectId: 1, refine: true });
    const unrefined = await client.request({ ...common });
    expect(byHandle.data).to.deep.equal(v1.data);
    // The refine fixture unions the previous logits with the last click's colour: red ∪ blue.
    const redAndBlue = groundTruth(W, H, [SCENE[0], SCENE[1], SCENE[2]]);
    expect(iou({ width: W, height: H, data: byHandle.data }, redAndBlue)).to.be.greaterThan(0.95);
    expect(iou({ width: W, height: H, data: unrefined.data }, groundTruth(W, H, [SCENE[2]]))).to.be.greaterThan(0.95);
    // A refine of an object without a result yet is a plain decode.
    const fresh = await client.request({ ...common, objectId: 9, refine: true });
    expect(fresh.data).to.deep.equal(unrefined.data);
  });

  it('a hover (previewOnly) decode changes nothing kept', async () => {
    await decode('scene', 4, RED_AT);
    const before = await client.request({ type: 'coco-rle', imageKey: 'scene', objectId: 4 });
    const hover = await decode('scene', 4, BLUE_AT, { preview: { width: 100, height: 75 }, previewOnly: true });
    expect([hover.width, hover.height]).to.deep.equal([100, 75]);
    await decode('scene', 4, BLUE_AT, { preview: { width: W * 2, height: H * 2 }, previewOnly: true });
    expect(await client.request({ type: 'coco-rle', imageKey: 'scene', objectId: 4 })).to.deep.equal(before);
  });

  it('labels: a greyscale PNG at natural size, overlaps to the object with the highest logit (exact)', async () => {
    await encodeScene(client, modelKey, 'labels', W, H);
    // Candidate 1 of either click holds the red ellipse AND the red twin: they overlap on both.
    const red = await client.request({ type: 'decode', modelKey, imageKey: 'labels', objectId: 1, prompts: click(...RED_AT, W, H), threshold: 0, maskIndex: null });
    const twin = await client.request({ type: 'decode', modelKey, imageKey: 'labels', objectId: 2, prompts: click(...TWIN_AT, W, H), threshold: 0, maskIndex: null });
    const blob = await client.request({ type: 'export-image', imageKey: 'labels', objectId: null, kind: 'labels', format: 'image/png', crop: false, feather: 0 });
    const png = await readPng(blob);
    expect([png.width, png.height, png.bitDepth, png.colourType]).to.deep.equal([W, H, 8, 0]);
    // Expected, from the float upsample of each object's chosen candidate (an independent path).
    const objects = [red, twin].map((r, i) => ({ id: i + 1, data: r.data, logits: upsampleLogitsTo(candidateOf(r), 256, 256, W, H) }));
    let overlaps = 0;
    for (let p = 0; p < W * H; p++) {
      const holders = objects.filter((o) => o.data[p]);
      if (holders.length > 1) overlaps++;
      const expected = holders.reduce((best, o) => (best === null || o.logits[p] > best.logits[p] ? o : best), null as (typeof objects)[number] | null)?.id ?? 0;
      if (png.samples[p] !== expected) expect.fail(`pixel ${p % W},${Math.floor(p / W)}: ${png.samples[p]}, expected ${expected}`);
    }
    expect(overlaps).to.be.greaterThan(10_000);
    // So each red shape goes to the object clicked on it, blue and background to nobody.
    const labelled = (id: number) => ({ width: W, height: H, data: Uint8Array.from(png.samples, (v) => (v === id ? 1 : 0)) });
    expect(iou(labelled(1), groundTruth(W, H, [SCENE[0]]))).to.be.greaterThan(0.93);
    expect(iou(labelled(2), groundTruth(W, H, [SCENE[1]]))).to.be.greaterThan(0.93);
    expect(labelled(0).data[Math.round(BLUE_AT[1] * H) * W + Math.round(BLUE_AT[0] * W)]).to.equal(1);
    const bitmap = await createImageBitmap(blob);
    expect([bitmap.width, bitmap.height]).to.deep.equal([W, H]);
    // objectIds narrows the selection: without object 1 its pixels are the twin's (or none).
    const onlyTwin = await readPng(await client.request({ type: 'export-image', imageKey: 'labels', objectIds: [2], kind: 'labels', format: 'image/png', crop: false, feather: 0 }));
    expect(onlyTwin.samples.filter((v) => v === 1).length).to.equal(0);
    expect(onlyTwin.samples.filter((v) => v === 2).length).to.equal(twin.area);
  });

  it('labels are 16-bit when an id exceeds 255', async () => {
    await encodeScene(client, modelKey, 'wide-ids', W, H);
    await client.request({ type: 'decode', modelKey, imageKey: 'wide-ids', objectId: 1, prompts: click(...BLUE_AT, W, H), threshold: 0, maskIndex: null });
    const big = await client.request({ type: 'decode', modelKey, imageKey: 'wide-ids', objectId: 300, prompts: click(...RED_AT, W, H), threshold: 0, maskIndex: 0 });
    const png = await readPng(await client.request({ type: 'export-image', imageKey: 'wide-ids', objectId: null, kind: 'labels', format: 'image/png', crop: false, feather: 0 }));
    expect(png.bitDepth).to.equal(16);
    expect(new Set(png.samples)).to.deep.equal(new Set([0, 1, 300]));
    expect(png.samples.filter((v) => v === 300).length).to.equal(big.area);
  });

  it('COCO annotations: one per object with a mask, in id order, each its own RLE', async () => {
    await encodeScene(client, modelKey, 'coco', W, H);
    await client.request({ type: 'decode', modelKey, imageKey: 'coco', objectId: 2, prompts: click(...BLUE_AT, W, H), threshold: 0, maskIndex: null });
    await client.request({ type: 'decode', modelKey, imageKey: 'coco', objectId: 1, prompts: click(...RED_AT, W, H), threshold: 0, maskIndex: null });
    // An object whose prompts give an empty mask (a negative click only) gets no annotation.
    await client.request({ type: 'decode', modelKey, imageKey: 'coco', objectId: 3, prompts: click(...RED_AT, W, H, 0), threshold: 0, maskIndex: null });
    const { annotations } = await client.request({ type: 'coco-annotations', imageKey: 'coco', imageId: 7, categoryId: 3 });
    expect(annotations.map((a) => a.id)).to.deep.equal([1, 2]);
    for (const annotation of annotations) {
      const rle = await client.request({ type: 'coco-rle', imageKey: 'coco', objectId: annotation.id });
      expect(annotation).to.deep.equal({ id: annotation.id, image_id: 7, category_id: 3, iscrowd: 0, segmentation: { size: rle.size, counts: rle.counts }, area: rle.area, bbox: rle.bbox });
    }
  });

  it('released objects and images are gone: exports by handle reject not-ready', async () => {
    await encodeScene(client, modelKey, 'released', W, H);
    await client.request({ type: 'decode', modelKey, imageKey: 'released', objectId: 1, prompts: click(...RED_AT, W, H), threshold: 0, maskIndex: null });
    await client.request({ type: 'decode', modelKey, imageKey: 'released', objectId: 2, prompts: click(...BLUE_AT, W, H), threshold: 0, maskIndex: null });
    await client.request({ type: 'release-object', imageKey: 'released', objectId: 1 });
    expect(await outcome(client.request({ type: 'coco-rle', imageKey: 'released', objectId: 1 }))).to.equal('not-ready');
    const { annotations } = await client.request({ type: 'coco-annotations', imageKey: 'released', imageId: 1, categoryId: 1 });
    expect(annotations.map((a) => a.id)).to.deep.equal([2]);
    await client.request({ type: 'release-image', imageKey: 'released' });
    expect(await outcome(client.request({ type: 'coco-rle', imageKey: 'released', objectId: 2 }))).to.equal('not-ready');
    expect(await outcome(client.request({ type: 'export-image', imageKey: 'released', objectId: null, kind: 'labels', format: 'image/png', crop: false, feather: 0 }))).to.equal('not-ready');
  });

  it('a failed export is reported as export-failed, never decode-failed', async () => {
    await encodeScene(client, modelKey, 'bad-id', W, H);
    await client.request({ type: 'decode', modelKey, imageKey: 'bad-id', objectId: 70_000, prompts: click(...RED_AT, W, H), threshold: 0, maskIndex: null });
    expect(await outcome(client.request({ type: 'export-image', imageKey: 'bad-id', objectId: null, kind: 'labels', format: 'image/png', crop: false, feather: 0 }))).to.equal('export-failed');
    expect(await outcome(client.request({ type: 'export-image', imageKey: 'bad-id', objectId: null, kind: 'labels', format: 'image/webp', crop: false, feather: 0 }))).to.equal('invalid-argument');
  });
});

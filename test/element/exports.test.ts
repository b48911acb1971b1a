/**
 * Exports of all objects at once (labels PNG, COCO annotations), and what crosses the thread
 * boundary for a click and for exports of a 12 MP image: no full-size mask goes to the worker,
 * none is copied back.
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { readPng } from '../mask/png-reader.js';
import { SCENE, createSegmenter, groundTruth, iou, nextEvent, sceneUrl } from '../helpers.js';

const [RED, TWIN, BLUE] = SCENE;

async function withTwoObjects(width: number, height: number, style = 'width: 500px') {
  const element = createSegmenter({ style });
  element.src = await sceneUrl(width, height);
  await nextEvent(element, 'image-encode');
  await element.addPoint(RED.cx * width, RED.cy * height); // object 1: the red ellipse and its twin
  element.addObject();
  await element.addPoint(BLUE.cx * width, BLUE.cy * height); // object 2: the blue rectangle
  return element;
}

/** Largest typed-array / ArrayBuffer payload in each message the page posts to a worker. */
function watchPagePosts() {
  const sizes: Array<{ type: string; bytes: number }> = [];
  const original = Worker.prototype.postMessage;
  const largest = (value: unknown, depth = 0): number => {
    if (value instanceof ArrayBuffer) return value.byteLength;
    if (ArrayBuffer.isView(value)) return value.byteLength;
    if (!value || typeof value !== 'object' || depth > 4) return 0;
    return Math.max(0, ...Object.values(value).map((v) => largest(v, depth + 1)));
  };
  Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: Transferable[]) {
    const request = (message as { request?: { type: string } }).request;
    if (request) sizes.push({ type: request.type, bytes: largest(request) });
    return Reflect.apply(original, this, [message, transfer ?? []]);
  } as typeof Worker.prototype.postMessage;
  return { sizes, stop: () => (Worker.prototype.postMessage = original) };
}

describe('<sam2-segmenter> exports of every object', () => {
  afterEach(() => document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove()));

  it('toBlob({kind: "labels"}) is an 8-bit greyscale PNG without alpha whose pixels are the object ids, exactly', async () => {
    const [W, H] = [400, 240];
    const element = await withTwoObjects(W, H);
    const png = await readPng(await element.toBlob({ kind: 'labels' }));
    expect([png.width, png.height, png.bitDepth, png.colourType]).to.deep.equal([W, H, 8, 0]);
    const [one, two] = element.objects.map((o) => o.mask!);
    let mismatches = 0;
    for (let i = 0; i < W * H; i++) {
      const expected = one.data[i] ? 1 : two.data[i] ? 2 : 0;
      if (png.samples[i] !== expected) mismatches++;
    }
    expect(mismatches).to.equal(0);
    expect(iou(one, groundTruth(W, H, [RED, TWIN]))).to.be.at.least(0.97);
    // A removed object and a cleared one are no longer in the map.
    element.removeObject(2);
    element.addObject();
    await element.addPoint(BLUE.cx * W, BLUE.cy * H); // object 3
    element.activeObject = 1;
    element.clear();
    const after = await readPng(await element.toBlob({ kind: 'labels' }));
    const three = element.objects.find((o) => o.id === 3)!.mask!;
    let wrong = 0;
    for (let i = 0; i < W * H; i++) if (after.samples[i] !== (three.data[i] ? 3 : 0)) wrong++;
    expect(wrong).to.equal(0);
    const error = await element.toBlob({ kind: 'labels', type: 'image/webp' }).catch((e) => e);
    expect(error.code).to.equal('invalid-argument');
  });

  it('toCocoAnnotations() gives one exact annotation per object with a mask, ids = object ids', async () => {
    const [W, H] = [400, 240];
    const element = await withTwoObjects(W, H);
    element.addObject(); // object 3 stays empty: no annotation
    const { annotations } = await element.toCocoAnnotations({ imageId: 42, categoryId: 7 });
    expect(annotations.map((a) => a.id)).to.deep.equal([1, 2]);
    for (const annotation of annotations) {
      const rle = await element.toCocoRle({ object: annotation.id });
      expect(annotation).to.deep.equal({
        id: annotation.id,
        image_id: 42,
        category_id: 7,
        iscrowd: 0,
        segmentation: { size: rle.size, counts: rle.counts },
        area: rle.area,
        bbox: rle.bbox,
      });
      expect(annotation.segmentation.size).to.deep.equal([H, W]);
    }
    // Defaults: image 1, category 1.
    const defaults = await element.toCocoAnnotations();
    expect(defaults.annotations.every((a) => a.image_id === 1 && a.category_id === 1)).to.equal(true);
  });

  it('a click and the exports of a 12 MP image send no mask to the worker and copy none back', async () => {
    const [W, H] = [4000, 3000];
    const element = createSegmenter({ style: 'width: 400px' });
    element.src = await sceneUrl(W, H);
    await nextEvent(element, 'image-encode');
    const posts = watchPagePosts();
    try {
      const before = (await testing.workerStats())!;
      await element.addPoint(RED.cx * W, RED.cy * H);
      element.addObject();
      await element.addPoint(BLUE.cx * W, BLUE.cy * H);
      element.threshold = 1; // a re-render of both objects
      await nextEvent(element, 'mask-change');
      await exportsOf(element);
      const after = (await testing.workerStats())!;
      // The worker transferred every mask it sent (none was structured-cloned).
      expect(after.bytesClonedToPage - before.bytesClonedToPage).to.equal(0);
    } finally {
      posts.stop();
    }
    const types = new Set(posts.sizes.map((s) => s.type));
    for (const type of ['decode', 'render', 'export-image', 'polygons', 'coco-rle', 'coco-annotations']) expect(types.has(type), type).to.equal(true);
    // Nothing the page sent carried a buffer bigger than a few bytes of prompts (a 12 MP mask is 12 MB).
    const largest = Math.max(...posts.sizes.map((s) => s.bytes));
    expect(largest, JSON.stringify(posts.sizes)).to.be.below(1024);
  });
});

async function exportsOf(element: Sam2Segmenter) {
  await element.toBlob({ object: 1 });
  await element.toBlob({ kind: 'cutout', object: 2 });
  await element.toBlob({ kind: 'labels' });
  await element.toPolygons({ object: 1 });
  await element.toCocoRle({ object: 2 });
  await element.toCocoAnnotations();
}

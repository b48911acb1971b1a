import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import type { MaskChangeDetail } from '../../src/events.js';
import { decodeCocoRle } from '../../src/mask/rle.js';
import { rasterizePolygons } from '../../src/mask/raster.js';
import { RED, SCENE, createSegmenter, drawScene, iou, maskAt, nextEvent, sceneBlob, sceneUrl, type Shape } from '../helpers.js';

const [W, H] = [1000, 600];

async function pixelsOf(blob: Blob): Promise<ImageData> {
  const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
}

async function segmented(width = W, height = H, shapes?: Shape[]) {
  const element = createSegmenter();
  element.src = shapes ? URL.createObjectURL(await sceneBlob(width, height, shapes)) : await sceneUrl(width, height);
  await nextEvent(element, 'image-encode');
  const changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
  await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
  return { element, detail: (await changed).detail };
}

describe('<sam2-segmenter> outputs', () => {
  afterEach(() => document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove()));

  it('cut-out PNG: alpha is exactly 0 outside and 255 inside the mask, colours kept', async () => {
    const { element, detail } = await segmented();
    const blob = await element.toBlob({ kind: 'cutout' });
    expect(blob.type).to.equal('image/png');
    const pixels = await pixelsOf(blob);
    expect([pixels.width, pixels.height]).to.deep.equal([W, H]);
    const scene = drawScene(W, H).data;
    const mask = detail.mask!.data;
    let wrongAlpha = 0;
    let wrongColour = 0;
    for (let i = 0; i < mask.length; i++) {
      const alpha = pixels.data[4 * i + 3];
      if (alpha !== (mask[i] ? 255 : 0)) wrongAlpha++;
      if (mask[i] && (pixels.data[4 * i] !== scene[4 * i] || pixels.data[4 * i + 1] !== scene[4 * i + 1] || pixels.data[4 * i + 2] !== scene[4 * i + 2])) wrongColour++;
    }
    expect(wrongAlpha).to.equal(0);
    expect(wrongColour).to.equal(0);
  });

  it('cut-out crop is the mask bounding box; feather makes a soft edge inside it', async () => {
    const { element, detail } = await segmented();
    const cropped = await pixelsOf(await element.toBlob({ kind: 'cutout', crop: true }));
    expect([cropped.width, cropped.height]).to.deep.equal([detail.bbox.width, detail.bbox.height]);
    const feathered = await pixelsOf(await element.toBlob({ kind: 'cutout', crop: true, feather: 8 }));
    expect(feathered.width).to.equal(detail.bbox.width + 16);
    const alphas = new Set<number>();
    for (let i = 3; i < feathered.data.length; i += 4) alphas.add(feathered.data[i]);
    expect(alphas.size).to.be.above(8); // a ramp, not just 0/255
    // Deep inside the object stays opaque.
    const cx = Math.round(SCENE[0].cx * W - detail.bbox.x + 8);
    const cy = Math.round(SCENE[0].cy * H - detail.bbox.y + 8);
    expect(feathered.data[4 * (cy * feathered.width + cx) + 3]).to.equal(255);
  });

  it('mask PNG is white inside, black outside at natural size (and WebP works)', async () => {
    const { element, detail } = await segmented();
    const pixels = await pixelsOf(await element.toBlob({ kind: 'mask' }));
    let wrong = 0;
    for (let i = 0; i < detail.mask!.data.length; i++) {
      const v = detail.mask!.data[i] ? 255 : 0;
      if (pixels.data[4 * i] !== v || pixels.data[4 * i + 3] !== 255) wrong++;
    }
    expect(wrong).to.equal(0);
    const webp = await element.toBlob({ kind: 'mask', type: 'image/webp', quality: 1 });
    expect(webp.type).to.equal('image/webp');
  });

  it('COCO RLE decodes back to the mask, with COCO area and bbox', async () => {
    const { element, detail } = await segmented();
    const rle = await element.toCocoRle();
    expect(rle.size).to.deep.equal([H, W]);
    expect(rle.counts).to.be.a('string');
    const decoded = decodeCocoRle(rle);
    expect(iou(decoded, detail.mask!)).to.equal(1);
    expect(rle.area).to.equal(detail.area);
    expect(rle.bbox).to.deep.equal([detail.bbox.x, detail.bbox.y, detail.bbox.width, detail.bbox.height]);
  });

  it('polygons rasterise back to the mask exactly at tolerance 0, and simplify with a tolerance', async () => {
    const { element, detail } = await segmented();
    const polygons = await element.toPolygons();
    // Two regions: the ellipse and the twin rectangle.
    expect(polygons.length).to.equal(2);
    expect(iou(rasterizePolygons(polygons, W, H), detail.mask!)).to.be.at.least(0.99);
    const simple = await element.toPolygons({ tolerance: 2 });
    const count = (ps: typeof polygons) => ps.reduce((n, p) => n + p.outer.length / 2, 0);
    expect(count(simple)).to.be.below(count(polygons) / 3);
    expect(iou(rasterizePolygons(simple, W, H), detail.mask!)).to.be.at.least(0.97);
  });

  it('outputs reject with not-ready before there is a mask', async () => {
    const element = createSegmenter();
    const error = await element.toBlob().catch((e) => e);
    expect(error.code).to.equal('not-ready');
  });

  it('max-hole-area fills small holes and max-sprinkle-area removes specks (256-grid cells)', async () => {
    // 1024x1024: one image px = one model px, a grid cell = 4x4 px.
    const size = 1024;
    const shapes: Shape[] = [
      { kind: 'rect', cx: 0.3, cy: 0.4, rx: 0.2, ry: 0.2, colour: RED },
      // a grey 12x12 px hole = 3x3 cells inside the square (grey is the background colour)
      { kind: 'rect', cx: 0.3, cy: 0.4, rx: 6 / size, ry: 6 / size, colour: [128, 128, 128] },
      // a red 8x8 px speck = 2x2 cells far away
      { kind: 'rect', cx: 0.8, cy: 0.8, rx: 4 / size, ry: 4 / size, colour: RED },
    ];
    const element = createSegmenter();
    element.src = URL.createObjectURL(await sceneBlob(size, size, shapes));
    await nextEvent(element, 'image-encode');
    const holeAt = [0.3 * size, 0.4 * size] as const;
    const speckAt = [0.8 * size, 0.8 * size] as const;
    const plain = (await element.addPoint(0.2 * size, 0.3 * size))!;
    expect(maskAt(plain.mask!, ...holeAt)).to.equal(0);
    expect(maskAt(plain.mask!, ...speckAt)).to.equal(1);

    let changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    element.maxHoleArea = 4; // smaller than the 9-cell hole: no change to the hole
    let { detail } = await changed;
    expect(maskAt(detail.mask!, ...holeAt)).to.equal(0);

    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    element.maxHoleArea = 16;
    element.maxSprinkleArea = 8;
    ({ detail } = await changed);
    expect(maskAt(detail.mask!, ...holeAt)).to.equal(1);
    expect(maskAt(detail.mask!, ...speckAt)).to.equal(0);
    expect(detail.area).to.be.above(plain.area);
  });
});

import { expect } from '@esm-bundle/chai';
import {
  DEFAULT_REFINE,
  maskArea,
  maskBoundingBox,
  refineMaskWithImage,
  softAlpha,
  upsampleLogitsTo,
  upsampleLogitsToMaskWithStats,
  type GuideImage,
} from '../../src/mask/index.js';
import { bandQuads, quadAxis } from '../../src/mask/refine-band.js';
import { seededRandom } from '../mask/helpers.js';
import { distanceToEdge, iou } from './metrics.js';

/** An image of one colour left of `edgeX` and another right of it. */
function twoColourImage(width: number, height: number, edgeX: number, left: readonly number[], right: readonly number[]): GuideImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = x < edgeX ? left : right;
      data.set([c[0], c[1], c[2], 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

/** Smooth random logits (bilinear of a coarse random grid), so the mask has long, curved edges. */
function blobLogits(width: number, height: number, seed: number, coarse = 5): Float32Array {
  const random = seededRandom(seed);
  const grid = Array.from({ length: coarse * coarse }, () => random() * 16 - 8);
  const out = new Float32Array(width * height);
  for (let i = 0; i < height; i++) {
    const sy = (i / (height - 1)) * (coarse - 1);
    const y0 = Math.min(coarse - 2, Math.floor(sy));
    const fy = sy - y0;
    for (let j = 0; j < width; j++) {
      const sx = (j / (width - 1)) * (coarse - 1);
      const x0 = Math.min(coarse - 2, Math.floor(sx));
      const fx = sx - x0;
      const g = (a: number, b: number) => grid[(y0 + a) * coarse + x0 + b];
      out[i * width + j] = (1 - fy) * ((1 - fx) * g(0, 0) + fx * g(0, 1)) + fy * ((1 - fx) * g(1, 0) + fx * g(1, 1));
    }
  }
  return out;
}

/** Random colour blobs plus noise: edges everywhere, none of them the model's. */
function clutterImage(width: number, height: number, seed: number): GuideImage {
  const random = seededRandom(seed);
  const discs = Array.from({ length: 40 }, () => ({ x: random() * width, y: random() * height, r: 3 + random() * width * 0.1, c: [random() * 255, random() * 255, random() * 255] }));
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c = [128, 128, 128];
      for (const d of discs) if ((x - d.x) ** 2 + (y - d.y) ** 2 < d.r * d.r) c = d.c;
      const i = (y * width + x) * 4;
      for (let k = 0; k < 3; k++) data[i + k] = c[k] + (random() - 0.5) * 30;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

describe('mask/refine (edges="image")', () => {
  it('snaps a model edge 6.5 px off onto the image edge, on every row (golden)', () => {
    // 16×8 logits → 160×80 px: a cell is 10 px. The model's logits fall linearly across x with
    // the zero at source coordinate 4.6 → natural x = 10·(4.6 + 0.5) − 0.5 = 50.5; the image
    // turns from red to grey at x = 44.
    const logits = new Float32Array(16 * 8);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 16; j++) logits[i * 16 + j] = 3 * (4.6 - j);
    const image = twoColourImage(160, 80, 44, [220, 40, 40], [120, 124, 128]);
    const model = upsampleLogitsToMaskWithStats(logits, 16, 8, 160, 80);
    expect(model.bbox).to.deep.equal({ x: 0, y: 0, width: 51, height: 80 });
    const refined = refineMaskWithImage(logits, 16, 8, image);
    for (let y = 0; y < 80; y++) {
      const row = Array.from(refined.data.subarray(y * 160, (y + 1) * 160));
      expect(row.indexOf(0), `row ${y}`).to.equal(44);
      expect(row.lastIndexOf(1), `row ${y}`).to.equal(43);
    }
    expect(refined.area).to.equal(44 * 80);
    expect(refined.bbox).to.deep.equal({ x: 0, y: 0, width: 44, height: 80 });
    expect(refined.edges.changedPixels).to.equal(7 * 80);
  });

  it('snaps the other way too (model edge inside the background)', () => {
    const logits = new Float32Array(16 * 8);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 16; j++) logits[i * 16 + j] = 3 * (4.6 - j);
    const image = twoColourImage(160, 80, 57, [220, 40, 40], [120, 124, 128]);
    const refined = refineMaskWithImage(logits, 16, 8, image);
    for (let y = 0; y < 80; y++) expect(Array.from(refined.data.subarray(y * 160, (y + 1) * 160)).indexOf(0), `row ${y}`).to.equal(57);
  });

  it('never changes a pixel outside the band: bit for bit the model there, and nothing farther than bandCells + 1 cells from its edge', () => {
    for (const [sw, sh, w, h, seed] of [
      [256, 256, 1000, 600, 1],
      [256, 256, 640, 960, 2],
      [64, 48, 700, 500, 3],
    ] as const) {
      const logits = blobLogits(sw, sh, seed);
      const image = clutterImage(w, h, seed);
      const model = upsampleLogitsToMaskWithStats(logits, sw, sh, w, h);
      const modelMask = { width: w, height: h, data: model.data.slice() };
      const refined = refineMaskWithImage(logits, sw, sh, image);
      expect(refined.edges.changedPixels, 'the clutter moves some edge pixels').to.be.greaterThan(0);
      const band = bandQuads(logits, sw, sh, 0, DEFAULT_REFINE.bandCells);
      const columns = quadAxis(sw, w);
      const rows = quadAxis(sh, h);
      const distance = distanceToEdge(modelMask);
      const far = (DEFAULT_REFINE.bandCells + 1) * Math.max(w / sw, h / sh);
      let outsideBand = 0;
      let farPixels = 0;
      let changedOutsideBand = 0;
      let changedFar = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          const changed = refined.data[i] !== modelMask.data[i];
          if (!band[rows.quadOf[y] * sw + columns.quadOf[x]]) {
            outsideBand++;
            if (changed) changedOutsideBand++;
          }
          if (distance[i] > far) {
            farPixels++;
            if (changed) changedFar++;
          }
        }
      }
      expect(outsideBand, 'most of the image is outside the band').to.be.greaterThan(w * h * 0.3);
      expect(farPixels).to.be.greaterThan(w * h * 0.3);
      expect(changedOutsideBand).to.equal(0);
      expect(changedFar).to.equal(0);
    }
  });

  it('measures area and bounding box of the refined mask while writing it', () => {
    for (const seed of [4, 5, 6]) {
      const logits = blobLogits(256, 256, seed);
      const image = clutterImage(900, 700, seed);
      const refined = refineMaskWithImage(logits, 256, 256, image);
      const mask = { width: 900, height: 700, data: refined.data };
      expect(refined.area).to.equal(maskArea(mask));
      expect(refined.bbox).to.deep.equal(maskBoundingBox(mask));
    }
  });

  it('agrees with itself: mask, soft alpha (≥ 128 ⇔ inside) and refined scores (> threshold ⇔ inside) on every pixel', () => {
    const [w, h] = [800, 600];
    const logits = blobLogits(256, 256, 7);
    const image = clutterImage(w, h, 7);
    const refined = refineMaskWithImage(logits, 256, 256, image);
    const mask = { width: w, height: h, data: refined.data };
    const alpha = refined.edges.alpha(mask, { x: 0, y: 0, width: w, height: h });
    const modelLogits = upsampleLogitsTo(logits, 256, 256, w, h);
    let soft = 0;
    const row = new Float64Array(w);
    for (let y = 0; y < h; y++) {
      row.set(modelLogits.subarray(y * w, (y + 1) * w));
      refined.edges.overlayRow(y, row);
      for (let x = 0; x < w; x++) {
        const inside = refined.data[y * w + x] === 1;
        const a = alpha[y * w + x];
        if (a > 0 && a < 255) soft++;
        if (inside !== a >= 128 || inside !== row[x] > 0) throw new Error(`disagreement at ${x},${y}: mask ${inside}, alpha ${a}, score ${row[x]}`);
      }
    }
    expect(soft, 'the band has soft alpha').to.be.greaterThan(1000);
  });

  it('keeps the model edge exactly where the image shows none (uniform image: colour explains nothing)', () => {
    for (const seed of [4, 5, 8]) {
      const logits = blobLogits(256, 256, seed);
      const [w, h] = [1000, 600];
      const image = twoColourImage(w, h, w, [90, 140, 60], [0, 0, 0]);
      const model = upsampleLogitsToMaskWithStats(logits, 256, 256, w, h);
      const expected = model.data.slice();
      const refined = refineMaskWithImage(logits, 256, 256, image);
      expect(refined.edges.bandPixels).to.be.greaterThan(30000);
      expect(refined.edges.changedPixels).to.equal(0);
      expect(refined.data).to.deep.equal(expected);
    }
  });

  it('honours the threshold like the model does (strictly greater)', () => {
    const logits = blobLogits(256, 256, 9);
    const image = clutterImage(600, 400, 9);
    for (const threshold of [-2, 1.5]) {
      const model = upsampleLogitsToMaskWithStats(logits, 256, 256, 600, 400, threshold);
      const refined = refineMaskWithImage(logits, 256, 256, image, { threshold });
      expect(iou({ width: 600, height: 400, data: refined.data }, { width: 600, height: 400, data: model.data })).to.be.greaterThan(0.97);
      expect(refined.area).to.equal(maskArea({ width: 600, height: 400, data: refined.data }));
    }
    const low = refineMaskWithImage(logits, 256, 256, image, { threshold: -2 }).area;
    const high = refineMaskWithImage(logits, 256, 256, image, { threshold: 1.5 }).area;
    expect(low).to.be.greaterThan(high);
  });

  it('an empty and a full mask have no band and stay as the model made them', () => {
    const image = clutterImage(300, 200, 10);
    const empty = refineMaskWithImage(new Float32Array(256 * 256).fill(-12), 256, 256, image);
    expect(empty.area).to.equal(0);
    expect(empty.bbox).to.equal(null);
    expect(empty.edges.tiles.length).to.equal(0);
    expect(empty.data.every((v) => v === 0)).to.equal(true);
    const full = refineMaskWithImage(new Float32Array(256 * 256).fill(12), 256, 256, image);
    expect(full.area).to.equal(300 * 200);
    expect(full.bbox).to.deep.equal({ x: 0, y: 0, width: 300, height: 200 });
    expect(full.edges.bandPixels).to.equal(0);
  });

  it('works when the image is smaller than the logits grid (a cell under one pixel)', () => {
    const logits = blobLogits(256, 256, 11);
    const image = clutterImage(120, 90, 11);
    const refined = refineMaskWithImage(logits, 256, 256, image);
    const mask = { width: 120, height: 90, data: refined.data };
    expect(refined.area).to.equal(maskArea(mask));
    const model = upsampleLogitsToMaskWithStats(logits, 256, 256, 120, 90);
    expect(iou(mask, { width: 120, height: 90, data: model.data })).to.be.greaterThan(0.8);
  });

  it('writes into a given buffer and rejects mismatched sizes and bad options', () => {
    const logits = blobLogits(256, 256, 12);
    const image = clutterImage(200, 100, 12);
    const out = new Uint8Array(200 * 100);
    expect(refineMaskWithImage(logits, 256, 256, image, { out }).data).to.equal(out);
    expect(() => refineMaskWithImage(logits, 256, 256, { ...image, height: 99 })).to.throw(RangeError);
    expect(() => refineMaskWithImage(logits, 256, 256, image, { radiusCells: 0 })).to.throw(RangeError);
    expect(() => refineMaskWithImage(logits, 256, 256, image, { epsilon: -1 })).to.throw(RangeError);
    expect(() => refineMaskWithImage(logits, 256, 256, image, { out: new Uint8Array(5) })).to.throw(RangeError);
  });

  it('soft alpha rounds so that exactly q > ½ reaches 128', () => {
    expect(softAlpha(0.5)).to.equal(127);
    expect(softAlpha(0.5 + 2 ** -24)).to.equal(128);
    expect(softAlpha(2 ** -12)).to.equal(0);
    expect(softAlpha(1 - 2 ** -12)).to.equal(255);
    expect(softAlpha(0.25)).to.equal(64);
  });
});

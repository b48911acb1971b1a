import { expect } from '@esm-bundle/chai';
import {
  MaskScoreRows,
  UpsampledRows,
  refineMaskWithImage,
  softCutoutAlpha,
  upsampleLogitsTo,
  upsampleLogitsToMaskWithStats,
} from '../../src/mask/index.js';
import { edgeScenes, fixtureLogits, renderScene } from './scenes.js';

describe('mask scores (labels map, soft cut-out)', () => {
  const [w, h] = [1000, 600];
  const scene = edgeScenes(w / h).find((s) => s.name === 'sharp')!;
  const image = renderScene(scene, w, h);
  const red = fixtureLogits(image, scene.target, scene.candidate);
  // A second object overlapping the first: the teal bar and, within the colour radius of
  // candidate 2 (0.6), the red shapes' anti-aliased rims.
  const teal = fixtureLogits(image, [40, 140, 150], 2);

  it('UpsampledRows are the upsample, to the bit of its threshold decision', () => {
    const rows = new UpsampledRows(red, 256, 256, w, h);
    const mask = upsampleLogitsToMaskWithStats(red, 256, 256, w, h).data;
    const floats = upsampleLogitsTo(red, 256, 256, w, h);
    let maxError = 0;
    for (let y = 0; y < h; y++) {
      const row = rows.row(y);
      for (let x = 0; x < w; x++) {
        if ((row[x] > 0 ? 1 : 0) !== mask[y * w + x]) throw new Error(`threshold disagrees at ${x},${y}`);
        maxError = Math.max(maxError, Math.abs(row[x] - floats[y * w + x]));
      }
    }
    expect(maxError).to.be.below(1e-5);
  });

  it('refined scores decide like the refined mask, and a labels map by highest score gives every pixel to an object whose mask has it', () => {
    const objects = [red, teal].map((logits) => {
      const refined = refineMaskWithImage(logits, 256, 256, image);
      return { refined, rows: new MaskScoreRows({ logits, srcWidth: 256, srcHeight: 256, threshold: 0, edges: refined.edges }, w, h) };
    });
    expect(objects[1].refined.area).to.be.greaterThan(1000);
    let overlap = 0;
    for (let y = 0; y < h; y++) {
      const scores = objects.map((o) => o.rows.row(y).slice());
      for (let x = 0; x < w; x++) {
        const inside = objects.map((o) => o.refined.data[y * w + x] === 1);
        scores.forEach((row, k) => {
          if (row[x] > 0 !== inside[k]) throw new Error(`object ${k + 1} score ${row[x]} vs mask ${inside[k]} at ${x},${y}`);
        });
        const best = scores[0][x] >= scores[1][x] ? 0 : 1;
        const label = scores[best][x] > 0 ? best + 1 : 0;
        if (inside[0] && inside[1]) overlap++;
        if (label === 0) expect(inside).to.deep.equal([false, false]);
        else if (!inside[label - 1]) throw new Error(`pixel ${x},${y} labelled ${label} outside its mask`);
      }
    }
    expect(overlap, 'the two masks overlap somewhere').to.be.greaterThan(0);
  });

  it('soft cut-out alpha: ≥ 128 exactly inside the mask, soft on the edge, for both edge modes and a cropped rect', () => {
    const rect = { x: 180, y: 90, width: 420, height: 300 };
    const model = upsampleLogitsToMaskWithStats(red, 256, 256, w, h);
    const refined = refineMaskWithImage(red, 256, 256, image);
    for (const [name, mask, edges] of [
      ['model', model.data, null],
      ['image', refined.data, refined.edges],
    ] as const) {
      const alpha = softCutoutAlpha({ width: w, height: h, data: mask }, rect, { logits: red, srcWidth: 256, srcHeight: 256, threshold: 0, edges });
      let soft = 0;
      for (let y = 0; y < rect.height; y++) {
        for (let x = 0; x < rect.width; x++) {
          const a = alpha[y * rect.width + x];
          const inside = mask[(rect.y + y) * w + rect.x + x] === 1;
          if (inside !== a >= 128) throw new Error(`${name}: alpha ${a} at ${x},${y}, mask ${inside}`);
          if (a > 0 && a < 255) soft++;
        }
      }
      expect(soft, name).to.be.greaterThan(200);
    }
  });
});

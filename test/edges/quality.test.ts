/**
 * The quality harness of `edges="image"` (pure modules): generated scenes with exact ground truth
 * at 1000×600 and 4000×3000, the colour fixture model's logits for a click on the object, and
 * IoU / boundary F-score (2 px) of the model's mask and of the refined one. The end-to-end twin
 * (real worker, real fixture model) is edges-element.test.ts.
 *
 * Thresholds are the measured results less a margin (numbers in the table this test logs, and in
 * README "Mask edges"). At 1000×600 a cell is 3.9×2.3 px, so the model's edge is already within
 * the 2 px of the boundary score: there the gain is in IoU (and in the 1 px score).
 */
import { expect } from '@esm-bundle/chai';
import { refineMaskWithImage, upsampleLogitsToMaskWithStats } from '../../src/mask/index.js';
import { boundaryF, iou } from './metrics.js';
import { edgeScenes, fixtureLogits, renderScene } from './scenes.js';

interface Row {
  scene: string;
  size: string;
  model: { iou: number; f: number; f1: number };
  image: { iou: number; f: number; f1: number };
}

const SHARP = ['sharp', 'bars', 'detail', 'noisy', 'textured'];

describe('edges="image" quality (generated scenes, exact ground truth)', function () {
  this.timeout(600000);
  const rows: Row[] = [];

  for (const [width, height] of [
    [1000, 600],
    [4000, 3000],
  ] as const) {
    for (const scene of edgeScenes(width / height)) {
      it(`${scene.name} at ${width}x${height}: ${SHARP.includes(scene.name) ? 'the edge follows the image (higher boundary F / IoU)' : 'no harm on a smooth low-contrast edge'}`, () => {
        const image = renderScene(scene, width, height);
        const logits = fixtureLogits(image, scene.target, scene.candidate);
        const model = { width, height, data: upsampleLogitsToMaskWithStats(logits, 256, 256, width, height).data };
        const refined = { width, height, data: refineMaskWithImage(logits, 256, 256, image).data };
        const score = (mask: typeof model) => ({ iou: iou(mask, image.truth), f: boundaryF(mask, image.truth).f, f1: boundaryF(mask, image.truth, 1).f });
        const row: Row = { scene: scene.name, size: `${width}x${height}`, model: score(model), image: score(refined) };
        rows.push(row);
        if (!SHARP.includes(scene.name)) {
          expect(row.image.f, 'boundary F').to.be.at.least(row.model.f - 0.002);
          expect(row.image.iou, 'IoU').to.be.at.least(row.model.iou - 0.0005);
        } else if (width >= 4000) {
          // Measured gains +0.097 (sharp) … +0.134 (detail); every refined score ≥ 0.997.
          expect(row.image.f - row.model.f, 'boundary F gain').to.be.at.least(0.08);
          expect(row.image.f, 'boundary F').to.be.at.least(0.99);
          expect(row.image.iou, 'IoU never lower').to.be.above(row.model.iou);
        } else {
          // Measured IoU gains +0.0024 (textured) … +0.044 (bars).
          expect(row.image.iou - row.model.iou, 'IoU gain').to.be.at.least(0.002);
          expect(row.image.f, 'boundary F never lower').to.be.at.least(row.model.f);
        }
      });
    }
  }

  after(() => {
    const f = (v: number) => v.toFixed(4);
    const lines = rows.map((r) => `| ${r.scene} | ${r.size} | ${f(r.model.iou)} | ${f(r.image.iou)} | ${f(r.model.f)} | ${f(r.image.f)} | ${f(r.model.f1)} | ${f(r.image.f1)} |`);
    console.log(['| scene | size | IoU model | IoU image | BF@2 model | BF@2 image | BF@1 model | BF@1 image |', ...lines].join('\n'));
  });
});

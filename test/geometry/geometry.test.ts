import { expect } from '@esm-bundle/chai';
import { containRect } from '../../src/geometry/fit.js';
import { clientToImage, fitImage, imageToClient, pointNear, toImage } from '../../src/geometry/view.js';
import { imageToModel, modelToImage } from '../../src/geometry/model-frame.js';
import { encodePrompts, normalizeBox } from '../../src/geometry/prompts.js';

describe('geometry', () => {
  it('containRect letterboxes a tall image in a wide box (centred, scale = min ratio)', () => {
    expect(containRect({ width: 700, height: 300 }, 600, 1000)).to.deep.equal({ x: 260, y: 0, width: 180, height: 300 });
    expect(containRect({ width: 260, height: 420 }, 1000, 600)).to.deep.equal({ x: 0, y: 132, width: 260, height: 156 });
    expect(containRect({ width: 0, height: 300 }, 600, 1000)).to.deep.equal({ x: 0, y: 0, width: 0, height: 0 });
  });

  it('client <-> image coordinates round-trip and reject the letterbox', () => {
    const content = { x: 260 + 13, y: 40, width: 180, height: 300 };
    const p = clientToImage(273 + 90, 40 + 150, content, 600, 1000)!;
    expect(p).to.deep.equal({ x: 300, y: 500 });
    expect(imageToClient(300, 500, content, 600, 1000)).to.deep.equal({ x: 363, y: 190 });
    expect(clientToImage(270, 100, content, 600, 1000)).to.equal(null);
    // The far edge maps inside the image, never to x = width.
    expect(clientToImage(273 + 180, 40 + 300, content, 600, 1000)!.x).to.be.below(600);
  });

  it('an image view maps client and canvas coordinates the same way, clamps on request and hit-tests points', () => {
    // A 600x1000 image in a 700x300 frame at client (13, 40): 180x300 wide, 260 px letterbox each side.
    const view = fitImage({ x: 13, y: 40, width: 700, height: 300 }, 600, 1000);
    expect(view.rect).to.deep.equal({ x: 273, y: 40, width: 180, height: 300 });
    expect(toImage(view, 363, 190)).to.deep.equal({ x: 300, y: 500 });
    expect(toImage(view, 100, 190)).to.equal(null);
    expect(toImage(view, 100, 10, true)).to.deep.equal({ x: 0, y: 0 });
    expect(toImage(view, 900, 900, true)).to.deep.equal({ x: 600 - 1e-6, y: 1000 - 1e-6 });
    // Points at (300, 500) and (330, 500) are 9 CSS px apart on screen: the nearer one wins.
    const points = [{ x: 300, y: 500 }, { x: 330, y: 500 }];
    expect(pointNear(view, points, 370, 190, 12)).to.equal(1);
    expect(pointNear(view, points, 363, 190, 12)).to.equal(0);
    expect(pointNear(view, points, 363, 220, 12)).to.equal(-1);
  });

  it('image pixels map to the squashed 1024 frame per axis (no +0.5: the graph adds it)', () => {
    expect(imageToModel({ x: 500, y: 300 }, 1000, 600)).to.deep.equal({ x: 512, y: 512 });
    expect(imageToModel({ x: 0, y: 600 }, 1000, 600)).to.deep.equal({ x: 0, y: 1024 });
    expect(imageToModel({ x: 4000, y: 0 }, 4000, 3000)).to.deep.equal({ x: 1024, y: 0 });
    expect(modelToImage({ x: 256, y: 768 }, 600, 1000)).to.deep.equal({ x: 150, y: 750 });
  });

  it('encodes prompts as the official predictor: box corners (labels 2, 3) first, then clicks, no padding point', () => {
    const { coords, labels, count } = encodePrompts(
      { points: [{ x: 500, y: 300, label: 1 }, { x: 250, y: 150, label: 0 }], box: { x1: 800, y1: 450, x2: 100, y2: 60 } },
      1000,
      600,
    );
    expect(count).to.equal(4);
    expect(Array.from(labels)).to.deep.equal([2, 3, 1, 0]);
    expect(Array.from(coords)).to.deep.equal([102.4, 102.4, 819.2, 768, 512, 512, 256, 256].map((v) => Math.fround(v)));
  });

  it('normalises boxes drawn in any direction', () => {
    expect(normalizeBox({ x1: 9, y1: 1, x2: 3, y2: 7 })).to.deep.equal({ x1: 3, y1: 1, x2: 9, y2: 7 });
  });
});

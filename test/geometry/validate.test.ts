import { expect } from '@esm-bundle/chai';
import { Sam2Error } from '../../src/errors.js';
import { checkBox, checkPoint, checkPrompts } from '../../src/geometry/validate.js';

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return (error as Sam2Error).code;
  }
};
const SIZE = { width: 400, height: 240 };

describe('prompt validation', () => {
  it('labels must be exactly the number 0 or 1', () => {
    expect(checkPoint(10, 20, 1, SIZE)).to.deep.equal({ x: 10, y: 20, label: 1 });
    expect(checkPoint(10, 20, 0, SIZE).label).to.equal(0);
    for (const label of [7, '0', -1, true, null, 0.5]) expect(code(() => checkPoint(10, 20, label, SIZE)), String(label)).to.equal('invalid-argument');
  });

  it('coordinates must be finite numbers inside the image (0..width, 0..height) once its size is known', () => {
    for (const [x, y] of [[Number.NaN, 1], [1, Infinity], ['10', 1], [401, 10], [10, -0.5]] as const) {
      expect(code(() => checkPoint(x, y, 1, SIZE)), `${x},${y}`).to.equal('invalid-argument');
    }
    expect(code(() => checkPoint(400, 240, 1, SIZE))).to.equal('ok'); // the far edge is in
    // Before the size is known only types, labels and finiteness are checked.
    expect(code(() => checkPoint(5000, 5000, 1, null))).to.equal('ok');
    expect(code(() => checkPoint(Number.NaN, 5, 1, null))).to.equal('invalid-argument');
  });

  it('box corners must be finite and inside; corners in any order are normalised; null is no box', () => {
    expect(checkBox({ x1: 300, y1: 200, x2: 10, y2: 20 }, SIZE)).to.deep.equal({ x1: 10, y1: 20, x2: 300, y2: 200 });
    expect(checkBox(null, SIZE)).to.equal(null);
    expect(code(() => checkBox({ x1: 0, y1: 0, x2: Infinity, y2: 10 }, SIZE))).to.equal('invalid-argument');
    expect(code(() => checkBox({ x1: 0, y1: 0, x2: Number.NaN, y2: 10 }, null))).to.equal('invalid-argument');
    expect(code(() => checkBox({ x1: 0, y1: 0, x2: 500, y2: 10 }, SIZE))).to.equal('invalid-argument');
    expect(code(() => checkBox({ x1: 0, y1: 0, x2: 500, y2: 10 }, null))).to.equal('ok');
  });

  it('setPrompts checks every point (label defaults to 1) and the box', () => {
    expect(checkPrompts({ points: [{ x: 1, y: 2 }] }, SIZE)).to.deep.equal({ points: [{ x: 1, y: 2, label: 1 }], box: null });
    expect(code(() => checkPrompts({ points: [{ x: 1, y: 2, label: 2 }] }, SIZE))).to.equal('invalid-argument');
    expect(code(() => checkPrompts({ points: 'no' }, SIZE))).to.equal('invalid-argument');
    expect(code(() => checkPrompts({ box: { x1: 0, y1: 0, x2: 1, y2: Number.NaN } }, SIZE))).to.equal('invalid-argument');
  });
});

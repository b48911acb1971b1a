import { expect } from '@esm-bundle/chai';
import { maskArea, maskBoundingBox } from '../../src/mask/index.js';
import { maskFromRows, seededRandom } from './helpers.js';

describe('mask/stats', () => {
  it('an empty mask has area 0 and no bounding box', () => {
    const mask = maskFromRows(['....', '....']);
    expect(maskArea(mask)).to.equal(0);
    expect(maskBoundingBox(mask)).to.equal(null);
    expect(maskBoundingBox({ width: 0, height: 0, data: new Uint8Array(0) })).to.equal(null);
  });

  it('the box is tight and inclusive: one pixel at (2, 1) is {x: 2, y: 1, width: 1, height: 1}', () => {
    const mask = maskFromRows(['.....', '..#..', '.....']);
    expect(maskArea(mask)).to.equal(1);
    expect(maskBoundingBox(mask)).to.deep.equal({ x: 2, y: 1, width: 1, height: 1 });
  });

  it('pixels on all four borders give the full image box (width = maxX − minX + 1)', () => {
    const mask = maskFromRows(['#....', '.....', '....#']);
    expect(maskBoundingBox(mask)).to.deep.equal({ x: 0, y: 0, width: 5, height: 3 });
    expect(maskArea(mask)).to.equal(2);
  });

  it('the box spans rows whose extreme pixels come late (an L and a lone pixel on the right)', () => {
    const mask = maskFromRows(['......', '.#....', '.#....', '.####.', '.....#', '......']);
    expect(maskArea(mask)).to.equal(7);
    expect(maskBoundingBox(mask)).to.deep.equal({ x: 1, y: 1, width: 5, height: 4 });
  });

  it('any non-zero byte counts as inside (0/255 masks)', () => {
    const mask = { width: 3, height: 1, data: Uint8Array.of(0, 255, 7) };
    expect(maskArea(mask)).to.equal(2);
    expect(maskBoundingBox(mask)).to.deep.equal({ x: 1, y: 0, width: 2, height: 1 });
  });

  it('agrees with a naive scan on random masks', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 50; trial++) {
      const width = 1 + Math.floor(random() * 40);
      const height = 1 + Math.floor(random() * 40);
      const density = random() * 0.05;
      const data = new Uint8Array(width * height).map(() => (random() < density ? 1 : 0));
      let area = 0;
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -1;
      let maxY = -1;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (!data[y * width + x]) continue;
          area++;
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
      const mask = { width, height, data };
      expect(maskArea(mask)).to.equal(area);
      expect(maskBoundingBox(mask)).to.deep.equal(
        area === 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 },
      );
    }
  });
});

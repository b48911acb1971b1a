import { expect } from '@esm-bundle/chai';
import { cleanupLogits, fillHoles, removeSprinkles } from '../../src/mask/index.js';

/**
 * Logits from ASCII art: '#' → +2 (foreground), '.' → −3 (background). Distinct magnitudes make it
 * obvious in failures which pixels the clean-up rewrote to exactly ±10.
 */
function logitsFromRows(rows: readonly string[]): { logits: Float32Array; width: number; height: number } {
  const height = rows.length;
  const width = rows[0].length;
  const logits = new Float32Array(width * height);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) logits[y * width + x] = row[x] === '#' ? 2 : -3;
  });
  return { logits, width, height };
}

/** Back to ASCII: '#' kept foreground, '.' kept background, 'F' filled (+10), 'R' removed (−10). */
function render(logits: Float32Array, width: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < logits.length; i += width) {
    rows.push(
      Array.from(logits.subarray(i, i + width), (v) => (v === 10 ? 'F' : v === -10 ? 'R' : v > 0 ? '#' : '.')).join(''),
    );
  }
  return rows;
}

describe('mask/cleanup', () => {
  // A solid object with a plus-shaped 5-pixel hole.
  const plusHole = ['#######', '###.###', '##...##', '###.###', '#######'];

  it('fills a 5-pixel hole at maxHoleArea 5 with logit +10 (the official fill value)', () => {
    const { logits, width, height } = logitsFromRows(plusHole);
    expect(fillHoles(logits, width, height, 5)).to.equal(logits); // in place
    expect(render(logits, width)).to.deep.equal(['#######', '###F###', '##FFF##', '###F###', '#######']);
  });

  it('does not fill a 5-pixel hole at maxHoleArea 4 (area ≤ max, not <)', () => {
    const { logits, width, height } = logitsFromRows(plusHole);
    const before = logits.slice();
    fillHoles(logits, width, height, 4);
    expect(Array.from(logits)).to.deep.equal(Array.from(before));
  });

  it('fills small background touching the image border too (official: every component ≤ max)', () => {
    const { logits, width, height } = logitsFromRows(['##..##', '######', '######']);
    fillHoles(logits, width, height, 2);
    expect(render(logits, width)).to.deep.equal(['##FF##', '######', '######']);
  });

  it('background is 8-connected: two diagonal background pixels are one component of area 2', () => {
    const rows = ['#####', '#.###', '##.##', '#####'];
    const a = logitsFromRows(rows);
    fillHoles(a.logits, a.width, a.height, 1);
    expect(render(a.logits, a.width)).to.deep.equal(rows);
    const b = logitsFromRows(rows);
    fillHoles(b.logits, b.width, b.height, 2);
    expect(render(b.logits, b.width)).to.deep.equal(['#####', '#F###', '##F##', '#####']);
  });

  it('removes foreground specks ≤ maxSprinkleArea with logit −10 and keeps larger regions', () => {
    const { logits, width, height } = logitsFromRows(['#.......', '......#.', '.###...#', '.###....', '.###....']);
    removeSprinkles(logits, width, height, 2);
    // The lone corner pixel (area 1) and the diagonal pair (one 8-connected component, area 2) go.
    expect(render(logits, width)).to.deep.equal(['R.......', '......R.', '.###...R', '.###....', '.###....']);
  });

  it('foreground is 8-connected: a diagonal pair survives maxSprinkleArea 1', () => {
    const rows = ['#.....', '.#....', '....#.'];
    const { logits, width, height } = logitsFromRows(rows);
    removeSprinkles(logits, width, height, 1);
    expect(render(logits, width)).to.deep.equal(['#.....', '.#....', '....R.']);
  });

  it('max area 0 disables a step (the official `if max_area > 0`)', () => {
    const { logits, width, height } = logitsFromRows(['#.', '.#']);
    const before = Array.from(logits);
    fillHoles(logits, width, height, 0);
    removeSprinkles(logits, width, height, 0);
    cleanupLogits(logits, width, height, {});
    expect(Array.from(logits)).to.deep.equal(before);
  });

  it('repaired logits are threshold ± 10 for a non-zero mask_threshold', () => {
    const logits = Float32Array.of(1, 1, 1, 1, 0.25, 1, 1, 1, 1); // 3×3, centre ≤ 0.5 is a hole
    fillHoles(logits, 3, 3, 1, 0.5);
    expect(logits[4]).to.equal(10.5);
    const speck = Float32Array.of(0, 0, 0, 0, 0.75, 0, 0, 0, 0); // centre > 0.5 is a speck
    removeSprinkles(speck, 3, 3, 1, 0.5);
    expect(speck[4]).to.equal(-9.5);
  });

  it('cleanupLogits finds sprinkles on the ORIGINAL logits, like postprocess_masks (not after hole filling)', () => {
    // An object with an 8-pixel ring hole around a 1-pixel island. Officially the ring is filled
    // AND the island, a sprinkle in the original, is removed, leaving a 1-pixel hole.
    const rows = ['#####', '#...#', '#.#.#', '#...#', '#####'];
    const official = logitsFromRows(rows);
    cleanupLogits(official.logits, official.width, official.height, { maxHoleArea: 8, maxSprinkleArea: 1 });
    expect(render(official.logits, official.width)).to.deep.equal(['#####', '#FFF#', '#FRF#', '#FFF#', '#####']);
    // Chaining the single steps differs: once the ring is filled, the island is part of the object.
    const chained = logitsFromRows(rows);
    removeSprinkles(fillHoles(chained.logits, 5, 5, 8), 5, 5, 1);
    expect(render(chained.logits, 5)).to.deep.equal(['#####', '#FFF#', '#F#F#', '#FFF#', '#####']);
  });

  it('rejects logits whose length does not match width × height', () => {
    expect(() => fillHoles(new Float32Array(5), 2, 2, 1)).to.throw(RangeError);
  });
});

import { expect } from '@esm-bundle/chai';
import { labelMap } from '../../src/mask/labels.js';
import { upsampleLogitsTo, upsampleLogitsToMask } from '../../src/mask/upsample.js';

/** A 4x4 logit grid from rows of numbers. */
const grid = (rows: number[][]) => new Float32Array(rows.flat());

describe('mask/labels: label map with SAM 2 non-overlapping rule', () => {
  it('gives each pixel to the object with the highest interpolated logit where masks overlap', () => {
    const [width, height] = [10, 8];
    // Object 2: strong on the left, weaker to the right; object 5: strong on the right.
    const a = grid([
      [8, 6, 2, -4],
      [8, 6, 2, -4],
      [8, 6, 2, -4],
      [8, 6, 2, -4],
    ]);
    const b = grid([
      [-4, 1, 5, 9],
      [-4, 1, 5, 9],
      [-4, 1, 5, 9],
      [-4, 1, 5, 9],
    ]);
    const maskA = { width, height, data: upsampleLogitsToMask(a, 4, 4, width, height, 0) };
    const maskB = { width, height, data: upsampleLogitsToMask(b, 4, 4, width, height, 0) };
    const labels = labelMap(
      [
        { id: 5, mask: maskB, logits: b },
        { id: 2, mask: maskA, logits: a },
      ],
      width,
      height,
      4,
    );
    expect(labels.bitDepth).to.equal(8);
    expect(labels.data).to.be.instanceOf(Uint8Array);
    // Ground truth from the float upsample (an independent code path): argmax of the logits
    // among the objects whose mask holds the pixel.
    const la = upsampleLogitsTo(a, 4, 4, width, height);
    const lb = upsampleLogitsTo(b, 4, 4, width, height);
    let overlaps = 0;
    for (let p = 0; p < width * height; p++) {
      const inA = maskA.data[p] === 1;
      const inB = maskB.data[p] === 1;
      if (inA && inB) overlaps++;
      const expected = inA && inB ? (lb[p] > la[p] ? 5 : 2) : inA ? 2 : inB ? 5 : 0;
      expect(labels.data[p], `pixel ${p % width},${Math.floor(p / width)}`).to.equal(expected);
    }
    expect(overlaps).to.be.greaterThan(10);
    // Row 0, written out: left of the crossing object 2, right of it object 5.
    expect(Array.from(labels.data.subarray(0, width))).to.deep.equal([2, 2, 2, 2, 2, 5, 5, 5, 5, 5]);
  });

  it('breaks an exact tie towards the lower id, whatever the input order', () => {
    const logits = grid([[3, 3, 3, 3], [3, 3, 3, 3], [3, 3, 3, 3], [3, 3, 3, 3]]);
    const mask = { width: 4, height: 4, data: new Uint8Array(16).fill(1) };
    const labels = labelMap([{ id: 9, mask, logits }, { id: 4, mask, logits }], 4, 4, 4);
    expect(Array.from(labels.data)).to.deep.equal(new Array(16).fill(4));
  });

  it('switches to 16-bit when an id exceeds 255, and leaves pixels outside every mask 0', () => {
    const logits = grid([[5, 5, -5, -5], [5, 5, -5, -5], [5, 5, -5, -5], [5, 5, -5, -5]]);
    const mask = { width: 4, height: 4, data: upsampleLogitsToMask(logits, 4, 4, 4, 4, 0) };
    const labels = labelMap([{ id: 300, mask, logits }], 4, 4, 4);
    expect(labels.bitDepth).to.equal(16);
    expect(Array.from(labels.data.subarray(0, 4))).to.deep.equal([300, 300, 0, 0]);
  });

  it('refuses ids outside 1..65535 and masks of another size', () => {
    const logits = new Float32Array(16);
    const mask = { width: 4, height: 4, data: new Uint8Array(16) };
    expect(() => labelMap([{ id: 0, mask, logits }], 4, 4, 4)).to.throw(RangeError);
    expect(() => labelMap([{ id: 65536, mask, logits }], 4, 4, 4)).to.throw(RangeError);
    expect(() => labelMap([{ id: 1, mask, logits }], 5, 4, 4)).to.throw(RangeError);
  });
});

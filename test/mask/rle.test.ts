import { expect } from '@esm-bundle/chai';
import { cocoArea, cocoBbox, decodeCocoRle, encodeCocoRle, maskArea, maskBoundingBox } from '../../src/mask/index.js';
import type { BinaryMask } from '../../src/mask/index.js';
import { countDifferences, maskFromRows, randomBlobMask, seededRandom } from './helpers.js';

/*
 * Golden strings are derived by hand from pycocotools' maskApi.c:
 *  - rleEncode: runs in column-major order, first run is background, last run always written;
 *  - rleToString: for i > 2 store cnts[i] − cnts[i−2]; then per 5-bit group c = x & 0x1f,
 *    x >>= 5 (arithmetic), more = (c & 0x10) ? x != −1 : x != 0, c |= 0x20 if more, emit c + 48.
 * For 0 ≤ x < 16 that is the single char '0' + x; negative −16 ≤ x < 0 is the single char
 * (x & 31) + 48, i.e. 'O' for −1, 'N' for −2, 'H' for −8.
 */
interface Golden {
  name: string;
  rows: string[];
  counts: string;
  runs: number[];
  area: number;
  bbox: [number, number, number, number];
}

const goldens: Golden[] = [
  {
    // Column-major: col0 .#. col1 ### col2 .#. → 0 1 0 1 1 1 0 1 0 → runs [1,1,1,3,1,1,1].
    // i0..2 raw: '1' '1' '1'; i3: 3−1=2 '2'; i4: 1−1=0 '0'; i5: 1−3=−2 'N'; i6: 1−1=0 '0'.
    name: '3×3 plus',
    rows: ['.#.', '###', '.#.'],
    counts: '11120N0',
    runs: [1, 1, 1, 3, 1, 1, 1],
    area: 5,
    bbox: [0, 0, 3, 3],
  },
  {
    // Column-major 0000 1 0000 → runs [4, 1, 4] → '4' '1' '4' (i = 2 is not delta coded).
    name: '3×3 single centre pixel',
    rows: ['...', '.#.', '...'],
    counts: '414',
    runs: [4, 1, 4],
    area: 1,
    bbox: [1, 1, 1, 1],
  },
  {
    // All background: one run of h·w = 6 → '6'. pycocotools toBbox of an empty mask: zeros.
    name: 'all-zero 2×3',
    rows: ['...', '...'],
    counts: '6',
    runs: [6],
    area: 0,
    bbox: [0, 0, 0, 0],
  },
  {
    // First pixel inside → leading empty background run: [0, 4] → '0' '4'.
    name: 'all-one 2×2',
    rows: ['##', '##'],
    counts: '04',
    runs: [0, 4],
    area: 4,
    bbox: [0, 0, 2, 2],
  },
  {
    // Touches all four borders. Column-major: 1100|1000|0000|0001|0011 → runs
    // [0,2,2,1,10,1,2,2]. i0..2 '0' '2' '2'; i3: 1−2=−1 'O'; i4: 10−2=8 '8'; i5: 1−1=0 '0';
    // i6: 2−10=−8 'H'; i7: 2−1=1 '1'.
    name: '4×5 corners touching every border',
    rows: ['##...', '#....', '....#', '...##'],
    counts: '022O80H1',
    runs: [0, 2, 2, 1, 10, 1, 2, 2],
    area: 6,
    bbox: [0, 0, 5, 4],
  },
  {
    // Pixels (0,0), (4,2), (4,4) of 5×5 → column-major positions 0, 22, 24 → runs
    // [0,1,21,1,1,1]. i2 = 21 = 0b10101: c = 21 has the sign bit 0x10 and x>>5 = 0 ≠ −1, so it
    // needs a continuation: (21|0x20)+48 = 'e', then c=0 → '0'. i3: 1−1=0 '0'.
    // i4: 1−21 = −20: c = −20 & 31 = 12, x = −1, 12 lacks 0x10 so more = (x ≠ 0): (12|0x20)+48 =
    // '\\'; then c = 31, x = −1, sign bit set and x = −1 → stop: 31+48 = 'O'. i5: 1−1=0 '0'.
    name: '5×5 sparse pixels with a multi-character negative delta',
    rows: ['#....', '.....', '....#', '.....', '....#'],
    counts: '01e00\\O0',
    runs: [0, 1, 21, 1, 1, 1],
    area: 3,
    bbox: [0, 0, 5, 5],
  },
  {
    // 100 = 3·32 + 4: c=4, x=3 → more → (4|0x20)+48 = 'T'; c=3, x=0 → '3'.
    name: 'all-zero 10×10',
    rows: Array<string>(10).fill('..........'),
    counts: 'T3',
    runs: [100],
    area: 0,
    bbox: [0, 0, 0, 0],
  },
  {
    // 10000 = 9·1024 + 24·32 + 16: c=16 (sign bit, x=312 ≠ −1 → more) → 48+48 = '`';
    // c=24 (sign bit, x=9 → more) → 56+48 = 'h'; c=9, x=0 → '9'.
    name: 'all-zero 100×100',
    rows: Array<string>(100).fill('.'.repeat(100)),
    counts: '`h9',
    runs: [10000],
    area: 0,
    bbox: [0, 0, 0, 0],
  },
];

function expectSameMask(actual: BinaryMask, expected: BinaryMask): void {
  expect([actual.width, actual.height]).to.deep.equal([expected.width, expected.height]);
  expect(countDifferences(actual.data, expected.data)).to.equal(0);
}

describe('mask/rle (pycocotools-compatible COCO RLE)', () => {
  for (const g of goldens) {
    it(`golden ${g.name}: counts "${g.counts}", area ${g.area}, bbox [${g.bbox.join(', ')}]`, () => {
      const mask = maskFromRows(g.rows);
      const rle = encodeCocoRle(mask);
      expect(rle).to.deep.equal({ size: [mask.height, mask.width], counts: g.counts });
      expectSameMask(decodeCocoRle(rle), mask);
      expectSameMask(decodeCocoRle({ size: rle.size, counts: g.runs }), mask);
      expect(cocoArea(rle)).to.equal(g.area);
      expect(cocoArea({ size: rle.size, counts: g.runs })).to.equal(g.area);
      expect(cocoBbox(rle)).to.deep.equal(g.bbox);
      expect(cocoBbox(mask)).to.deep.equal(g.bbox);
    });
  }

  it('size is [height, width] and runs are column-major (a 1×3 row vs a 3×1 column)', () => {
    // Column-major 1,0,1 → runs [0,1,1,1] → '0' '1' '1', then i3: 1 − cnts[1] = 0 → '0'.
    const row = encodeCocoRle(maskFromRows(['#.#']));
    expect(row).to.deep.equal({ size: [1, 3], counts: '0110' });
    const column = encodeCocoRle(maskFromRows(['#', '.', '#']));
    expect(column).to.deep.equal({ size: [3, 1], counts: '0110' });
    // h=2, w=3: col0 (1,0) col1 (1,0) col2 (0,0) → 1 0 1 0 0 0 → runs [0,1,1,1,3] →
    // '0' '1' '1', i3: 1 − 1 = 0 → '0', i4: 3 − cnts[2] = 3 − 1 = 2 → '2'.
    const wide = encodeCocoRle(maskFromRows(['##.', '...']));
    expect(wide).to.deep.equal({ size: [2, 3], counts: '01102' });
    expect(cocoBbox(wide)).to.deep.equal([0, 0, 2, 1]);
  });

  it('round-trips random masks of many shapes (aligned and unaligned widths, 0/255 bytes)', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 40; trial++) {
      const width = 1 + Math.floor(random() * 70);
      const height = 1 + Math.floor(random() * 70);
      const mask = randomBlobMask(width, height, random, { noise: random() * 0.05 });
      if (trial % 5 === 0) mask.data.forEach((v, i) => (mask.data[i] = v ? 255 : 0));
      const rle = encodeCocoRle(mask);
      expectSameMask(decodeCocoRle(rle), mask);
      expect(cocoArea(rle)).to.equal(maskArea(mask));
      const box = maskBoundingBox(mask);
      expect(cocoBbox(rle)).to.deep.equal(box ? [box.x, box.y, box.width, box.height] : [0, 0, 0, 0]);
    }
  });

  it('encodes a mask that is a view at an unaligned byteOffset', () => {
    const backing = new Uint8Array(1 + 8 * 3);
    const data = backing.subarray(1);
    data.set([1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    const mask = { width: 8, height: 3, data };
    expectSameMask(decodeCocoRle(encodeCocoRle(mask)), mask);
  });

  it('rejects counts that do not cover height × width, and invalid characters', () => {
    expect(() => decodeCocoRle({ size: [2, 2], counts: [1, 2] })).to.throw();
    expect(() => decodeCocoRle({ size: [2, 2], counts: [1, 4] })).to.throw();
    expect(() => decodeCocoRle({ size: [2, 2], counts: '0 4' })).to.throw();
  });
});

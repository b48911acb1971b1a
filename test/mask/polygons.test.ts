import { expect } from '@esm-bundle/chai';
import {
  maskArea,
  maskToPolygons,
  rasterizePolygons,
  ringSignedArea2,
  simplifyRing,
  upsampleLogitsToMask,
} from '../../src/mask/index.js';
import type { BinaryMask, Polygon } from '../../src/mask/index.js';
import { countComponents8, countDifferences, maskFromRows, randomBlobMask, seededRandom } from './helpers.js';

function roundTrip(mask: BinaryMask, tolerance = 0): BinaryMask {
  return rasterizePolygons(maskToPolygons(mask, { tolerance }), mask.width, mask.height);
}

function vertexCount(polygons: Polygon[]): number {
  return polygons.reduce((n, p) => n + p.outer.length / 2 + p.holes.reduce((m, h) => m + h.length / 2, 0), 0);
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** True when some vertex lies on the straight line through its two ring neighbours. */
function hasCollinearVertex(ring: number[]): boolean {
  const n = ring.length / 2;
  for (let i = 0; i < n; i++) {
    const p = (i + n - 1) % n;
    const q = (i + 1) % n;
    const cross =
      (ring[i * 2] - ring[p * 2]) * (ring[q * 2 + 1] - ring[i * 2 + 1]) -
      (ring[i * 2 + 1] - ring[p * 2 + 1]) * (ring[q * 2] - ring[i * 2]);
    if (cross === 0) return true;
  }
  return false;
}

describe('mask/polygons', () => {
  it('a single pixel at (x, y) becomes the square (x,y) (x+1,y) (x+1,y+1) (x,y+1)', () => {
    const mask = maskFromRows(['....', '..#.', '....']);
    expect(maskToPolygons(mask)).to.deep.equal([{ outer: [2, 1, 3, 1, 3, 2, 2, 2], holes: [] }]);
  });

  it('outer rings are clockwise on screen (positive shoelace with y down), holes counter-clockwise', () => {
    // A 5×5 square with a 1-pixel hole in the middle.
    const mask = maskFromRows(['#####', '#####', '##.##', '#####', '#####']);
    const polygons = maskToPolygons(mask);
    expect(polygons).to.deep.equal([{ outer: [0, 0, 5, 0, 5, 5, 0, 5], holes: [[3, 2, 2, 2, 2, 3, 3, 3]] }]);
    expect(ringSignedArea2(polygons[0].outer)).to.equal(2 * 25);
    expect(ringSignedArea2(polygons[0].holes[0])).to.equal(-2 * 1);
    expectExactRoundTrip(mask);
  });

  it('foreground is 8-connected: diagonal neighbours are one polygon pinched at the shared corner', () => {
    const mask = maskFromRows(['....', '.#..', '..#.', '....']);
    const polygons = maskToPolygons(mask);
    expect(polygons).to.deep.equal([{ outer: [1, 1, 2, 1, 2, 2, 3, 2, 3, 3, 2, 3, 2, 2, 1, 2], holes: [] }]);
    expectExactRoundTrip(mask);
  });

  it('holes are 4-connected (the dual): diagonal background pixels are two separate holes', () => {
    const mask = maskFromRows(['####', '#.##', '##.#', '####']);
    const polygons = maskToPolygons(mask);
    expect(polygons.length).to.equal(1);
    expect(polygons[0].holes).to.deep.equal([
      [2, 1, 1, 1, 1, 2, 2, 2],
      [3, 2, 2, 2, 2, 3, 3, 3],
    ]);
    expectExactRoundTrip(mask);
  });

  it('masks touching the border: a full image is its frame; a frame has one hole', () => {
    const full = maskToPolygons(maskFromRows(['###', '###']));
    expect(full).to.deep.equal([{ outer: [0, 0, 3, 0, 3, 2, 0, 2], holes: [] }]);
    const frame = maskFromRows(['#####', '#...#', '#...#', '#...#', '#####']);
    expect(maskToPolygons(frame)).to.deep.equal([
      { outer: [0, 0, 5, 0, 5, 5, 0, 5], holes: [[1, 1, 1, 4, 4, 4, 4, 1]] },
    ]);
    expectExactRoundTrip(frame);
    const bottomRight = maskFromRows(['....', '...#', '..##']);
    expect(maskToPolygons(bottomRight)).to.deep.equal([{ outer: [3, 1, 4, 1, 4, 3, 2, 3, 2, 2, 3, 2], holes: [] }]);
  });

  it('an empty mask has no polygons', () => {
    expect(maskToPolygons(maskFromRows(['...', '...']))).to.deep.equal([]);
    expect(maskToPolygons({ width: 0, height: 0, data: new Uint8Array(0) })).to.deep.equal([]);
  });

  it('every hole goes to the region around it: an island with its own hole inside a hole', () => {
    const mask = maskFromRows([
      '#########',
      '#.......#',
      '#.#####.#',
      '#.#...#.#',
      '#.#.#.#.#',
      '#.#...#.#',
      '#.#####.#',
      '#.......#',
      '#########',
    ]);
    const polygons = maskToPolygons(mask);
    // Outer frame (hole: the gap ring), the island ring (hole: its inner ring), the centre pixel.
    expect(polygons.map((p) => p.outer.slice(0, 2))).to.deep.equal([
      [0, 0],
      [2, 2],
      [4, 4],
    ]);
    expect(polygons.map((p) => p.holes.length)).to.deep.equal([1, 1, 0]);
    expect(polygons[0].holes[0].length).to.equal(8); // a square ring 1..8
    expect(polygons[1].holes[0].length).to.equal(8);
    expectExactRoundTrip(mask);
  });

  it('tolerance 0 leaves no collinear vertices', () => {
    const mask = randomBlobMask(120, 90, seededRandom(5), { noise: 0.01 });
    for (const polygon of maskToPolygons(mask)) {
      expect(hasCollinearVertex(polygon.outer)).to.equal(false);
      for (const hole of polygon.holes) expect(hasCollinearVertex(hole)).to.equal(false);
    }
  });

  it('random blobs round-trip exactly at tolerance 0; counts, windings and areas are consistent', () => {
    const random = seededRandom(3);
    for (let trial = 0; trial < 30; trial++) {
      const width = 1 + Math.floor(random() * 150);
      const height = 1 + Math.floor(random() * 150);
      const coarse = 4 + Math.floor(random() * 10);
      const mask = randomBlobMask(width, height, random, { coarse, noise: random() * 0.03 });
      const polygons = maskToPolygons(mask);
      const back = rasterizePolygons(polygons, width, height);
      expect(countDifferences(back.data, mask.data), `${width}×${height} trial ${trial}`).to.equal(0);
      expect(polygons.length).to.equal(countComponents8(mask));
      let area2 = 0;
      for (const polygon of polygons) {
        const outer = ringSignedArea2(polygon.outer);
        expect(outer).to.be.above(0);
        area2 += outer;
        for (const hole of polygon.holes) {
          const a = ringSignedArea2(hole);
          expect(a).to.be.below(0);
          area2 += a;
        }
      }
      expect(area2 / 2).to.equal(maskArea(mask));
    }
  });

  it('pure noise (many diagonal saddles, nested holes) round-trips exactly; a checkerboard is one region', () => {
    const random = seededRandom(17);
    for (let trial = 0; trial < 20; trial++) {
      const width = 1 + Math.floor(random() * 60);
      const height = 1 + Math.floor(random() * 60);
      const density = 0.3 + random() * 0.4;
      const mask = { width, height, data: new Uint8Array(width * height).map(() => (random() < density ? 1 : 0)) };
      const polygons = maskToPolygons(mask);
      expect(countDifferences(rasterizePolygons(polygons, width, height).data, mask.data)).to.equal(0);
      expect(polygons.length).to.equal(countComponents8(mask));
    }
    const checker = { width: 8, height: 6, data: new Uint8Array(48).map((_, i) => ((i % 8) + Math.floor(i / 8)) % 2) };
    expect(maskToPolygons(checker).length).to.equal(1);
    expectExactRoundTrip(checker);
  });

  it('tolerance 2 simplifies (fewer vertices) and stays close (IoU ≥ 0.97) on a smooth shape', () => {
    const mask = randomBlobMask(400, 300, seededRandom(9), { coarse: 6, noise: 0 });
    const exact = maskToPolygons(mask);
    const simple = maskToPolygons(mask, { tolerance: 2 });
    expect(vertexCount(simple)).to.be.below(vertexCount(exact) / 3);
    expect(iou(rasterizePolygons(simple, 400, 300).data, mask.data)).to.be.at.least(0.97);
    for (const polygon of simple) {
      expect(polygon.outer.length).to.be.at.least(6);
      for (const hole of polygon.holes) expect(hole.length).to.be.at.least(6);
    }
  });

  it('simplification never leaves a ring with fewer than 3 vertices (a speck becomes a triangle)', () => {
    const polygons = maskToPolygons(maskFromRows(['#...', '....', '...#']), { tolerance: 5 });
    expect(polygons.length).to.equal(2);
    for (const polygon of polygons) {
      expect(polygon.outer.length).to.equal(6);
      expect(ringSignedArea2(polygon.outer)).to.be.above(0);
    }
  });

  it('simplifyRing: tolerance 0 drops only collinear vertices; a zero-area ring degenerates to null', () => {
    expect(simplifyRing([0, 0, 1, 0, 2, 0, 2, 2, 1, 2, 0, 2, 0, 1], 0)).to.deep.equal([0, 0, 2, 0, 2, 2, 0, 2]);
    expect(simplifyRing([0, 0, 1, 1, 2, 2, 3, 3], 0)).to.equal(null);
    expect(simplifyRing([0, 0, 1, 0], 0)).to.equal(null);
  });

  it('logs the time of a 4000×3000 mask (disc with a hole) to polygons; exact round trip', () => {
    const logits = new Float32Array(256 * 256);
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        const hole = Math.hypot(x - 128, y - 100) < 20 ? -30 : 0;
        logits[y * 256 + x] = 40 - Math.hypot(x - 128, y - 128) * 0.5 + hole;
      }
    }
    const mask = { width: 4000, height: 3000, data: upsampleLogitsToMask(logits, 256, 256, 4000, 3000) };
    maskToPolygons(mask); // warm-up (JIT)
    const t0 = performance.now();
    const polygons = maskToPolygons(mask);
    const ms = performance.now() - t0;
    const vertices = vertexCount(polygons);
    console.log(`[mask/polygons] 4000x3000 disc with hole -> polygons: ${ms.toFixed(1)} ms (${vertices} vertices)`);
    expect(polygons.length).to.equal(1);
    expect(polygons[0].holes.length).to.equal(1);
    expect(countDifferences(rasterizePolygons(polygons, 4000, 3000).data, mask.data)).to.equal(0);
  });
});

describe('mask/raster', () => {
  it('fills pixels whose centre is inside (even-odd), clipped to the image', () => {
    // Centres x + 0.5 in [0.6, 2.4) → only x = 1; y + 0.5 in [0.4, 2.6) → rows 0..2.
    const thin = rasterizePolygons([{ outer: [0.6, 0.4, 2.4, 0.4, 2.4, 2.6, 0.6, 2.6], holes: [] }], 4, 4);
    expect(Array.from(thin.data)).to.deep.equal([0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const clipped = rasterizePolygons([{ outer: [-5, -5, 10, -5, 10, 1, -5, 1], holes: [] }], 3, 2);
    expect(Array.from(clipped.data)).to.deep.equal([1, 1, 1, 0, 0, 0]);
  });

  it('holes cut out; separate polygons union (overlaps do not cancel)', () => {
    const square: Polygon = { outer: [0, 0, 3, 0, 3, 3, 0, 3], holes: [[2, 1, 1, 1, 1, 2, 2, 2]] };
    const mask = rasterizePolygons([square], 3, 3);
    expect(Array.from(mask.data)).to.deep.equal([1, 1, 1, 1, 0, 1, 1, 1, 1]);
    const overlap = rasterizePolygons(
      [
        { outer: [0, 0, 2, 0, 2, 1, 0, 1], holes: [] },
        { outer: [1, 0, 3, 0, 3, 1, 1, 1], holes: [] },
      ],
      3,
      1,
    );
    expect(Array.from(overlap.data)).to.deep.equal([1, 1, 1]);
  });
});

function expectExactRoundTrip(mask: BinaryMask): void {
  expect(countDifferences(roundTrip(mask).data, mask.data)).to.equal(0);
}

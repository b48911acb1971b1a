import { expect } from '@esm-bundle/chai';
import { maskArea, maskBoundingBox, upsampleLogitsTo, upsampleLogitsToMask, upsampleLogitsToMaskWithStats } from '../../src/mask/index.js';
import { grid, seededRandom } from './helpers.js';

/**
 * Naive, per-pixel transcription of PyTorch's bilinear kernel (aten upsample_bilinear2d,
 * align_corners=False): area_pixel_compute_source_index + the 4-tap formula
 * h0 * (w0 * a + w1 * b) + h1 * (w0 * c + w1 * d). Deliberately not separable and not clever.
 */
function referencePixel(
  src: Float32Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  x: number,
  y: number,
): number {
  const taps = (d: number, srcSize: number, dstSize: number) => {
    const scale = srcSize / dstSize;
    let s = scale * (d + 0.5) - 0.5;
    if (s < 0) s = 0; // PyTorch clamps a negative source index to 0 (no extrapolation)
    const i0 = Math.floor(s);
    const i1 = i0 < srcSize - 1 ? i0 + 1 : i0;
    const l1 = s - i0;
    return { i0, i1, l0: 1 - l1, l1 };
  };
  const ty = taps(y, sh, dh);
  const tx = taps(x, sw, dw);
  const a = src[ty.i0 * sw + tx.i0];
  const b = src[ty.i0 * sw + tx.i1];
  const c = src[ty.i1 * sw + tx.i0];
  const d = src[ty.i1 * sw + tx.i1];
  return ty.l0 * (tx.l0 * a + tx.l1 * b) + ty.l1 * (tx.l0 * c + tx.l1 * d);
}

function referenceBilinear(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float64Array {
  const out = new Float64Array(dw * dh);
  for (let y = 0; y < dh; y++) for (let x = 0; x < dw; x++) out[y * dw + x] = referencePixel(src, sw, sh, dw, dh, x, y);
  return out;
}

/**
 * Logits that exercise every path: a smooth field (long runs far from the threshold), noise, and
 * values exactly at / within a hair of 0 (where a shortcut would be wrong).
 */
function randomLogits(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const logits = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = random();
    if (r < 0.05) logits[i] = 0;
    else if (r < 0.1) logits[i] = (random() - 0.5) * 1e-6;
    else logits[i] = Math.sin(i / 97) * 8 + (random() - 0.5) * 6;
  }
  return logits;
}

describe('mask/upsample', () => {
  it('2×2 → 4×4 golden: rows and columns are [a, .75a+.25b, .25a+.75b, b] (align_corners=False)', () => {
    // src [[0, 4], [8, 12]], scale 0.5. Columns: d=0 → s=−0.25 clamped to 0 → a; d=1 → s=0.25;
    // d=2 → s=0.75; d=3 → s=1.25 → i0=1, i1=min(2,1)=1 → b. Row 0 → [0, 1, 3, 4], source row 1 →
    // [8, 9, 11, 12]; output rows mix them 1/0, .75/.25, .25/.75, 0/1.
    const logits = grid([
      [0, 4],
      [8, 12],
    ]);
    const expected = [0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12];
    expect(Array.from(upsampleLogitsTo(logits, 2, 2, 4, 4))).to.deep.equal(expected);
    expect(Array.from(upsampleLogitsToMask(logits, 2, 2, 4, 4, 5))).to.deep.equal(expected.map((v) => (v > 5 ? 1 : 0)));
  });

  it('threshold is strict: an interpolated logit of exactly 0 is outside', () => {
    // [−1, 3] → 4 columns: [−1, .75·−1 + .25·3 = 0, .25·−1 + .75·3 = 2, 3].
    const logits = grid([[-1, 3]]);
    expect(Array.from(upsampleLogitsTo(logits, 2, 1, 4, 1))).to.deep.equal([-1, 0, 2, 3]);
    expect(Array.from(upsampleLogitsToMask(logits, 2, 1, 4, 1))).to.deep.equal([0, 0, 1, 1]);
    expect(Array.from(upsampleLogitsToMask(new Float32Array(1), 1, 1, 3, 2))).to.deep.equal([0, 0, 0, 0, 0, 0]);
    expect(Array.from(upsampleLogitsToMask(Float32Array.of(1e-30), 1, 1, 2, 1))).to.deep.equal([1, 1]);
  });

  it('uses the given threshold (SAM 2 mask_threshold), still strictly', () => {
    const logits = grid([[-1, 3]]); // → [−1, 0, 2, 3]
    expect(Array.from(upsampleLogitsToMask(logits, 2, 1, 4, 1, 2))).to.deep.equal([0, 0, 0, 1]);
    expect(Array.from(upsampleLogitsToMask(logits, 2, 1, 4, 1, -1))).to.deep.equal([0, 1, 1, 1]);
  });

  const cases: [string, number, number, number, number][] = [
    ['256×256 → 1000×600', 256, 256, 1000, 600],
    ['256×256 → 600×1000', 256, 256, 600, 1000],
    ['3×4 → 7×5 (odd sizes)', 3, 4, 7, 5],
    ['256×256 → 100×100 (downsampling)', 256, 256, 100, 100],
    ['256×256 → 100×37 (downsampling, anisotropic)', 256, 256, 100, 37],
    ['64×48 → 1001×599 (up in one step of ~15.6×)', 64, 48, 1001, 599],
    ['5×5 → 5×5 (identity)', 5, 5, 5, 5],
    ['1×1 → 9×4 (single source pixel)', 1, 1, 9, 4],
  ];
  for (const [name, sw, sh, dw, dh] of cases) {
    it(`matches the naive PyTorch formula exactly after thresholding, floats within 1e-5: ${name}`, () => {
      const logits = randomLogits(sw * sh, sw * 1000 + dw);
      const reference = referenceBilinear(logits, sw, sh, dw, dh);
      for (const threshold of [0, 0.75]) {
        const mask = upsampleLogitsToMask(logits, sw, sh, dw, dh, threshold);
        let mismatches = 0;
        for (let i = 0; i < reference.length; i++) if (mask[i] !== (reference[i] > threshold ? 1 : 0)) mismatches++;
        expect(mismatches, `threshold ${threshold}`).to.equal(0);
      }
      const floats = upsampleLogitsTo(logits, sw, sh, dw, dh);
      let maxError = 0;
      for (let i = 0; i < reference.length; i++) maxError = Math.max(maxError, Math.abs(floats[i] - reference[i]));
      expect(maxError).to.be.below(1e-5);
    });
  }

  it('measures area and bounding box while writing, equal to separate passes over the mask', () => {
    const check = (logits: Float32Array, sw: number, sh: number, dw: number, dh: number, threshold: number) => {
      const fused = upsampleLogitsToMaskWithStats(logits, sw, sh, dw, dh, threshold);
      const mask = { width: dw, height: dh, data: fused.data };
      expect(Array.from(fused.data)).to.deep.equal(Array.from(upsampleLogitsToMask(logits, sw, sh, dw, dh, threshold)));
      expect(fused.area).to.equal(maskArea(mask));
      expect(fused.bbox).to.deep.equal(maskBoundingBox(mask));
      return fused;
    };
    for (const [sw, sh, dw, dh] of [[256, 256, 1000, 600], [64, 48, 1001, 599], [3, 4, 7, 5], [256, 256, 100, 37]]) {
      for (const threshold of [0, 0.75, 20]) check(randomLogits(sw * sh, sw + dw + threshold), sw, sh, dw, dh, threshold);
    }
    // Golden: one positive logit in the middle of a 3×3 grid, upsampled ×2: the centre taps blend
    // 3 with weight ≥ .75 (> 0), the next ring ≤ .25·3 − .75 = 0 (not > 0), so a 2×2 block at (2, 2).
    const single = grid([
      [-1, -1, -1],
      [-1, 3, -1],
      [-1, -1, -1],
    ]);
    expect(check(single, 3, 3, 6, 6, 0)).to.deep.include({ area: 4, bbox: { x: 2, y: 2, width: 2, height: 2 } });
    // Empty and full masks, and a mask touching every border.
    expect(check(grid([[-1, -2]]), 2, 1, 5, 3, 0)).to.deep.include({ area: 0, bbox: null });
    expect(check(grid([[5, 6]]), 2, 1, 5, 3, 0)).to.deep.include({ area: 15, bbox: { x: 0, y: 0, width: 5, height: 3 } });
  });

  it('reuses the out buffer (and overwrites stale content)', () => {
    const logits = grid([[-1, 3]]);
    const out = new Uint8Array(4).fill(7);
    expect(upsampleLogitsToMask(logits, 2, 1, 4, 1, 0, out)).to.equal(out);
    expect(Array.from(out)).to.deep.equal([0, 0, 1, 1]);
    const floats = new Float32Array(4).fill(NaN);
    expect(upsampleLogitsTo(logits, 2, 1, 4, 1, floats)).to.equal(floats);
    expect(Array.from(floats)).to.deep.equal([-1, 0, 2, 3]);
  });

  it('rejects mismatched logits/out sizes and non-positive dimensions', () => {
    expect(() => upsampleLogitsToMask(new Float32Array(3), 2, 2, 4, 4)).to.throw(RangeError);
    expect(() => upsampleLogitsToMask(new Float32Array(4), 2, 2, 4, 4, 0, new Uint8Array(15))).to.throw(RangeError);
    expect(() => upsampleLogitsTo(new Float32Array(4), 2, 2, 0, 4)).to.throw(RangeError);
    expect(() => upsampleLogitsTo(new Float32Array(4), 2, 2, 2.5, 4)).to.throw(RangeError);
  });

  it('logs the time of 256×256 → 4000×3000 and → 8000×6000 (informational, not asserted)', () => {
    // A SAM-like logit map: a disc with a hole, smooth except at the edges.
    const logits = new Float32Array(256 * 256);
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        const hole = Math.hypot(x - 128, y - 100) < 20 ? -30 : 0;
        logits[y * 256 + x] = 40 - Math.hypot(x - 128, y - 128) * 0.5 + hole;
      }
    }
    for (const [w, h] of [
      [4000, 3000],
      [8000, 6000],
    ]) {
      const out = new Uint8Array(w * h);
      upsampleLogitsToMask(logits, 256, 256, w, h, 0, out); // warm-up (JIT)
      const t0 = performance.now();
      upsampleLogitsToMask(logits, 256, 256, w, h, 0, out);
      const ms = performance.now() - t0;
      console.log(`[mask/upsample] 256x256 -> ${w}x${h} thresholded: ${ms.toFixed(1)} ms`);
      // Spot check a few full rows against the reference, so the timed result is a correct one.
      for (const y of [0, 1, Math.floor(h / 3), Math.floor(h / 2), h - 1]) {
        let mismatches = 0;
        for (let x = 0; x < w; x++) {
          if (out[y * w + x] !== (referencePixel(logits, 256, 256, w, h, x, y) > 0 ? 1 : 0)) mismatches++;
        }
        expect(mismatches, `row ${y}`).to.equal(0);
      }
    }
  });
});

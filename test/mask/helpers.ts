/** Shared test helpers for the mask module (not a test file itself). */
import type { BinaryMask } from '../../src/mask/index.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mask from ASCII art: one string per row, '#' (or '1') inside, anything else outside.
 * Makes the geometry of each test visible in its source.
 */
export function maskFromRows(rows: readonly string[]): BinaryMask {
  const height = rows.length;
  const width = height === 0 ? 0 : rows[0].length;
  const data = new Uint8Array(width * height);
  rows.forEach((row, y) => {
    if (row.length !== width) throw new Error('ragged rows');
    for (let x = 0; x < width; x++) data[y * width + x] = row[x] === '#' || row[x] === '1' ? 1 : 0;
  });
  return { width, height, data };
}

/** Same shape as rows of numbers, for logits grids. */
export function grid(rows: readonly (readonly number[])[]): Float32Array {
  return Float32Array.from(rows.flat());
}

export function countDifferences(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error('length mismatch');
  let n = 0;
  for (let i = 0; i < a.length; i++) if ((a[i] !== 0) !== (b[i] !== 0)) n++;
  return n;
}

/** Naive 8-connected component count (reference for polygon counts). */
export function countComponents8(mask: BinaryMask): number {
  const { width: w, height: h, data } = mask;
  const seen = new Uint8Array(w * h);
  let count = 0;
  const stack: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (data[i] === 0 || seen[i]) continue;
    count++;
    seen[i] = 1;
    stack.push(i);
    while (stack.length) {
      const p = stack.pop() as number;
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const q = ny * w + nx;
          if (data[q] !== 0 && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
  }
  return count;
}

/** Random mask of smooth blobs (random coarse logits, bilinearly upsampled) plus salt-and-pepper. */
export function randomBlobMask(
  width: number,
  height: number,
  random: () => number,
  options: { coarse?: number; noise?: number } = {},
): BinaryMask {
  const coarse = options.coarse ?? 8;
  const noise = options.noise ?? 0.002;
  const cw = coarse;
  const ch = coarse;
  const data = new Uint8Array(width * height);
  const logits = new Float64Array(cw * ch).map(() => random() * 2 - 1);
  // Plain bilinear (align_corners=True style) is enough for test shapes.
  for (let y = 0; y < height; y++) {
    const sy = (y / Math.max(1, height - 1)) * (ch - 1);
    const y0 = Math.min(Math.floor(sy), ch - 2);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = (x / Math.max(1, width - 1)) * (cw - 1);
      const x0 = Math.min(Math.floor(sx), cw - 2);
      const fx = sx - x0;
      const v =
        (1 - fy) * ((1 - fx) * logits[y0 * cw + x0] + fx * logits[y0 * cw + x0 + 1]) +
        fy * ((1 - fx) * logits[(y0 + 1) * cw + x0] + fx * logits[(y0 + 1) * cw + x0 + 1]);
      let inside = v > 0;
      if (random() < noise) inside = !inside;
      data[y * width + x] = inside ? 1 : 0;
    }
  }
  return { width, height, data };
}

/**
 * Mask quality against ground truth (not a test file itself): IoU, and the boundary F-score of
 * Martin et al. / DAVIS — a boundary pixel is matched when a boundary pixel of the other mask is
 * within `tolerance` px (Euclidean); F is the harmonic mean of the matched fractions of the
 * prediction's boundary (precision) and of the truth's (recall).
 */
import type { BinaryMask } from '../../src/mask/types.js';

export function iou(a: BinaryMask, b: BinaryMask): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`size mismatch ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const p = a.data[i] !== 0;
    const q = b.data[i] !== 0;
    if (p && q) inter++;
    if (p || q) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** Inside pixels with a 4-neighbour outside (the image border is not an edge). */
export function boundaryPixels(mask: BinaryMask): Uint8Array {
  const { width, height, data } = mask;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!data[i]) continue;
      if ((x > 0 && !data[i - 1]) || (x < width - 1 && !data[i + 1]) || (y > 0 && !data[i - width]) || (y < height - 1 && !data[i + width])) out[i] = 1;
    }
  }
  return out;
}

/** Fraction of `from`'s boundary pixels that have one of `to`'s within the tolerance disc. */
function matched(from: Uint8Array, to: Uint8Array, width: number, height: number, tolerance: number): { hits: number; total: number } {
  const offsets: [number, number][] = [];
  const r = Math.floor(tolerance);
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= tolerance * tolerance) offsets.push([dx, dy]);
  let hits = 0;
  let total = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!from[y * width + x]) continue;
      total++;
      for (const [dx, dy] of offsets) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx >= 0 && ny >= 0 && nx < width && ny < height && to[ny * width + nx]) {
          hits++;
          break;
        }
      }
    }
  }
  return { hits, total };
}

export interface BoundaryScore {
  precision: number;
  recall: number;
  f: number;
}

export function boundaryF(prediction: BinaryMask, truth: BinaryMask, tolerance = 2): BoundaryScore {
  const { width, height } = truth;
  if (prediction.width !== width || prediction.height !== height) throw new Error('size mismatch');
  const p = boundaryPixels(prediction);
  const t = boundaryPixels(truth);
  const a = matched(p, t, width, height, tolerance);
  const b = matched(t, p, width, height, tolerance);
  const precision = a.total === 0 ? (b.total === 0 ? 1 : 0) : a.hits / a.total;
  const recall = b.total === 0 ? (a.total === 0 ? 1 : 0) : b.hits / b.total;
  const f = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f };
}

/**
 * Distance (px, Chebyshev) from every pixel to the nearest pixel whose side differs from a
 * 4-neighbour's: two-pass chamfer, enough to say "this pixel is far from the model's edge".
 */
export function distanceToEdge(mask: BinaryMask): Float32Array {
  const { width, height, data } = mask;
  const d = new Float32Array(width * height).fill(Infinity);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = data[i] !== 0;
      if ((x < width - 1 && (data[i + 1] !== 0) !== v) || (y < height - 1 && (data[i + width] !== 0) !== v) || (x > 0 && (data[i - 1] !== 0) !== v) || (y > 0 && (data[i - width] !== 0) !== v)) d[i] = 0;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let v = d[i];
      if (x > 0) v = Math.min(v, d[i - 1] + 1);
      if (y > 0) {
        v = Math.min(v, d[i - width] + 1);
        if (x > 0) v = Math.min(v, d[i - width - 1] + 1);
        if (x < width - 1) v = Math.min(v, d[i - width + 1] + 1);
      }
      d[i] = v;
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      let v = d[i];
      if (x < width - 1) v = Math.min(v, d[i + 1] + 1);
      if (y < height - 1) {
        v = Math.min(v, d[i + width] + 1);
        if (x < width - 1) v = Math.min(v, d[i + width + 1] + 1);
        if (x > 0) v = Math.min(v, d[i + width - 1] + 1);
      }
      d[i] = v;
    }
  }
  return d;
}

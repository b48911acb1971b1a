/**
 * A label map of several objects' masks: each pixel holds the id of the object it belongs to,
 * 0 for none. Where masks overlap, the pixel goes to the object whose mask logit is highest
 * there (SAM 2's non-overlapping constraint, `_apply_non_overlapping_constraints`: the argmax
 * over objects of the upsampled logits); on an exact tie, to the lower id.
 *
 * The logits are each object's chosen 256x256 candidate, upsampled exactly as the masks are
 * (PyTorch bilinear, align_corners=False), but only evaluated at overlapping pixels.
 */
import { linearTaps, type LinearTaps } from './upsample.js';
import type { BinaryMask } from './types.js';

export interface LabelledMask {
  /** Object id, 1..65535. */
  id: number;
  /** Natural-size mask of the object. */
  mask: BinaryMask;
  /** The low-resolution logits the mask was thresholded from (size `logitSize`²). */
  logits: Float32Array;
  /**
   * The mask's scores of natural row y, when they are not just the upsampled `logits`
   * (`edges="image"`: scores.ts's `MaskScoreRows`); called in increasing y per object.
   */
  scoreRow?: (y: number) => ArrayLike<number>;
}

export interface LabelMap {
  width: number;
  height: number;
  /** One label per pixel: Uint8Array while every id ≤ 255, else Uint16Array. */
  data: Uint8Array | Uint16Array;
  bitDepth: 8 | 16;
}

/** The interpolated logit at (x, y), with upsample.ts's formula and evaluation order. */
function logitAt(logits: Float32Array, size: number, xs: LinearTaps, ys: LinearTaps, x: number, y: number): number {
  const r0 = ys.i0[y] * size;
  const r1 = ys.i1[y] * size;
  const [c0, c1, w0, w1] = [xs.i0[x], xs.i1[x], xs.w0[x], xs.w1[x]];
  return ys.w0[y] * (w0 * logits[r0 + c0] + w1 * logits[r0 + c1]) + ys.w1[y] * (w0 * logits[r1 + c0] + w1 * logits[r1 + c1]);
}

export function labelMap(objects: readonly LabelledMask[], width: number, height: number, logitSize = 256): LabelMap {
  const sorted = [...objects].sort((a, b) => a.id - b.id);
  for (const { id, mask, logits } of sorted) {
    if (!Number.isInteger(id) || id < 1 || id > 65535) throw new RangeError(`Object id ${id} is not in 1..65535`);
    if (mask.width !== width || mask.height !== height) throw new RangeError(`Object ${id}'s mask is ${mask.width}x${mask.height}, not ${width}x${height}`);
    if (logits.length !== logitSize * logitSize) throw new RangeError(`Object ${id}'s logits are not ${logitSize}x${logitSize}`);
  }
  const bitDepth = sorted.some((o) => o.id > 255) ? 16 : 8;
  const data = bitDepth === 16 ? new Uint16Array(width * height) : new Uint8Array(width * height);
  const byId = new Map(sorted.map((o) => [o.id, o]));
  let taps: { xs: LinearTaps; ys: LinearTaps } | null = null;
  // The last row of scores fetched per object (rows are asked for in increasing y).
  const rows = new Map<number, { y: number; row: ArrayLike<number> }>();
  const scoreAt = (object: LabelledMask, x: number, y: number): number => {
    if (!object.scoreRow) return logitAt(object.logits, logitSize, taps!.xs, taps!.ys, x, y);
    let cached = rows.get(object.id);
    if (!cached || cached.y !== y) {
      cached = { y, row: object.scoreRow(y) };
      rows.set(object.id, cached);
    }
    return cached.row[x];
  };
  for (const object of sorted) {
    const { id, mask } = object;
    const inside = mask.data;
    for (let p = 0; p < inside.length; p++) {
      if (!inside[p]) continue;
      const current = data[p];
      if (current === 0) {
        data[p] = id;
        continue;
      }
      taps ??= { xs: linearTaps(logitSize, width), ys: linearTaps(logitSize, height) };
      const x = p % width;
      const y = (p - x) / width;
      const mine = scoreAt(object, x, y);
      const theirs = scoreAt(byId.get(current)!, x, y);
      if (mine > theirs) data[p] = id;
    }
  }
  return { width, height, data, bitDepth };
}

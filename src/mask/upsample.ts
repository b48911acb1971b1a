/**
 * Bilinear resize of SAM 2's low-resolution mask logits to the image size, matching PyTorch's
 * `F.interpolate(logits, (H, W), mode='bilinear', align_corners=False)` followed by
 * `logits > threshold`, which is what SAM 2's `SAM2Transforms.postprocess_masks` + predictor do.
 *
 * Thresholding the interpolated LOGITS (not upsampling a thresholded mask) is what gives SAM 2 its
 * smooth, sub-pixel accurate edges, so the order of operations matters as much as the weights.
 *
 * Speed: a 256×256 → 8000×6000 resize is 48 M output pixels. The weights are separable, so we
 * precompute the per-column source indices/weights once, interpolate each needed source row
 * horizontally into a scratch row (cached: when upsampling, ~dst/src consecutive output rows share
 * the same two source rows), and then each output pixel costs a single vertical blend + compare.
 * The thresholded variant goes further: a vertical blend of two values that are both clearly above
 * (or both clearly below) the threshold cannot cross it, so for each pair of source rows the
 * columns are split once into "all inside" / "all outside" / "must evaluate" spans, and the first
 * two are written with `fill` (memset). Only columns near the mask edge pay for arithmetic.
 *
 * Arithmetic is float64 with PyTorch's exact formula and evaluation order
 * `h0 * (w0 * a + w1 * b) + h1 * (w0 * c + w1 * d)`; PyTorch computes in float32, so values differ
 * from it only by float32 rounding (~1e-7 relative).
 */
import type { BBox } from './types.js';

/** Per-destination-index source taps of a 1-D linear resize (one axis). */
export interface LinearTaps {
  /** Lower source index. */
  i0: Int32Array;
  /** Upper source index (== i0 at the last source sample). */
  i1: Int32Array;
  /** Weight of i0 (1 − λ). */
  w0: Float64Array;
  /** Weight of i1 (λ). */
  w1: Float64Array;
}

/**
 * PyTorch's `area_pixel_compute_source_index` for align_corners=False, plus the index/weight
 * split of its linear kernels: s = scale·(d + 0.5) − 0.5 with scale = src/dst, negative s clamped
 * to 0 (so the first output samples copy the edge instead of extrapolating), i0 = ⌊s⌋,
 * i1 = min(i0 + 1, src − 1), λ = s − i0.
 */
export function linearTaps(srcSize: number, dstSize: number): LinearTaps {
  const i0 = new Int32Array(dstSize);
  const i1 = new Int32Array(dstSize);
  const w0 = new Float64Array(dstSize);
  const w1 = new Float64Array(dstSize);
  const scale = srcSize / dstSize;
  for (let d = 0; d < dstSize; d++) {
    let s = scale * (d + 0.5) - 0.5;
    if (s < 0) s = 0;
    // s < srcSize − 0.5 always holds, but guard against rounding so i0 never leaves the source.
    const lo = Math.min(Math.floor(s), srcSize - 1);
    const lambda = s - lo;
    i0[d] = lo;
    i1[d] = lo < srcSize - 1 ? lo + 1 : lo;
    w1[d] = lambda;
    w0[d] = 1 - lambda;
  }
  return { i0, i1, w0, w1 };
}

function checkDimensions(
  logits: Float32Array,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  out: { length: number } | undefined,
): void {
  for (const [name, value] of [
    ['srcWidth', srcWidth],
    ['srcHeight', srcHeight],
    ['dstWidth', dstWidth],
    ['dstHeight', dstHeight],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
  if (logits.length !== srcWidth * srcHeight) {
    throw new RangeError(`logits has ${logits.length} values, expected ${srcWidth}×${srcHeight}`);
  }
  if (out !== undefined && out.length !== dstWidth * dstHeight) {
    throw new RangeError(`out has ${out.length} elements, expected ${dstWidth}×${dstHeight}`);
  }
}

/**
 * Drives the separable resize: calls `emitRow(y, top, bottom, h0, h1, r0, r1)` once per destination
 * row, where `top`/`bottom` are source rows r0/r1 already interpolated horizontally to dstWidth.
 * Keeping the row loop here lets the threshold and float variants share every index computation
 * while each keeps its own tight, monomorphic inner loop.
 */
function forEachBlendedRow(
  logits: Float32Array,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  emitRow: (y: number, top: Float64Array, bottom: Float64Array, h0: number, h1: number, r0: number, r1: number) => void,
): void {
  const cols = linearTaps(srcWidth, dstWidth);
  const rows = linearTaps(srcHeight, dstHeight);
  const { i0: x0, i1: x1, w0: wx0, w1: wx1 } = cols;

  // Two-slot cache of horizontally interpolated source rows. Destination rows walk the source
  // monotonically, so a row is interpolated once and evicted only when no longer needed.
  const slots = [new Float64Array(dstWidth), new Float64Array(dstWidth)] as const;
  const slotRow = [-1, -1];

  const interpolateSourceRow = (sourceRow: number, into: Float64Array): void => {
    const base = sourceRow * srcWidth;
    for (let x = 0; x < dstWidth; x++) {
      into[x] = wx0[x] * logits[base + x0[x]] + wx1[x] * logits[base + x1[x]];
    }
  };

  /** Returns the scratch row holding `sourceRow`, filling the slot not holding `keepRow` on a miss. */
  const rowFor = (sourceRow: number, keepRow: number): Float64Array => {
    if (slotRow[0] === sourceRow) return slots[0];
    if (slotRow[1] === sourceRow) return slots[1];
    const slot = slotRow[0] === keepRow ? 1 : 0;
    interpolateSourceRow(sourceRow, slots[slot]);
    slotRow[slot] = sourceRow;
    return slots[slot];
  };

  for (let y = 0; y < dstHeight; y++) {
    const r0 = rows.i0[y];
    const r1 = rows.i1[y];
    const top = rowFor(r0, r1);
    const bottom = rowFor(r1, r0);
    emitRow(y, top, bottom, rows.w0[y], rows.w1[y], r0, r1);
  }
}

/** Span kinds of a blended row pair: every blend is inside, every blend is outside, or evaluate. */
const ALL_OUTSIDE = 0;
const ALL_INSIDE = 1;
const EVALUATE = 2;

/**
 * Run-length classification of the columns of one (top, bottom) source-row pair.
 *
 * Why skipping is exact: with weights h0 = 1 − λ, h1 = λ in [0, 1] (h0 + h1 = 1 within one
 * rounding), `h0·t + h1·b` lies between t and b up to a few float64 roundings, i.e. an error below
 * ~4·2⁻⁵³·(|t| + |b|). Requiring a margin of 1e-9·(|t| + |b|) + 1e-300 (ten million times larger,
 * plus an absolute floor for subnormals) before trusting the classification makes it exact; NaN
 * and ±Infinity fail both tests and are evaluated like everything else.
 */
class ThresholdSpans {
  private readonly end: Int32Array;
  private readonly kind: Uint8Array;
  private count = 0;
  private pairTop = -1;
  private pairBottom = -1;

  constructor(width: number) {
    this.end = new Int32Array(width);
    this.kind = new Uint8Array(width);
  }

  /** Rebuilds the spans unless they already describe source rows (r0, r1). */
  update(r0: number, r1: number, top: Float64Array, bottom: Float64Array, threshold: number): void {
    if (r0 === this.pairTop && r1 === this.pairBottom) return;
    this.pairTop = r0;
    this.pairBottom = r1;
    let count = 0;
    let current = -1;
    for (let x = 0; x < top.length; x++) {
      const t = top[x];
      const b = bottom[x];
      const margin = 1e-9 * (Math.abs(t) + Math.abs(b)) + 1e-300;
      const kind =
        t > threshold + margin && b > threshold + margin
          ? ALL_INSIDE
          : t < threshold - margin && b < threshold - margin
            ? ALL_OUTSIDE
            : EVALUATE;
      if (kind !== current) {
        this.kind[count++] = kind;
        current = kind;
      }
      this.end[count - 1] = x + 1;
    }
    this.count = count;
  }

  /**
   * Writes one thresholded destination row blended with weights (h0, h1) and returns how many of
   * its pixels are inside; `extent` receives the row's first and last inside column (−1 when
   * none). Counting here costs nothing for filled spans and one add per evaluated pixel, where a
   * separate area + bounding-box pass over a 48 MP mask costs as much as the resize itself.
   */
  emit(row: Uint8Array, top: Float64Array, bottom: Float64Array, h0: number, h1: number, threshold: number, extent: Int32Array): number {
    let start = 0;
    let area = 0;
    let first = -1;
    let last = -1;
    for (let i = 0; i < this.count; i++) {
      const end = this.end[i];
      const kind = this.kind[i];
      if (kind === EVALUATE) {
        const inside = thresholdBlend(row, start, end, top, bottom, h0, h1, threshold, extent);
        if (inside > 0) {
          area += inside;
          if (first < 0) first = extent[0];
          last = extent[1];
        }
      } else {
        row.fill(kind, start, end);
        if (kind === ALL_INSIDE) {
          area += end - start;
          if (first < 0) first = start;
          last = end - 1;
        }
      }
      start = end;
    }
    extent[0] = first;
    extent[1] = last;
    return area;
  }
}

/**
 * The arithmetic path: PyTorch's vertical blend, then the strict threshold. Returns the number of
 * inside pixels written and their first/last column in `extent`.
 */
function thresholdBlend(
  row: Uint8Array,
  from: number,
  to: number,
  top: Float64Array,
  bottom: Float64Array,
  h0: number,
  h1: number,
  threshold: number,
  extent: Int32Array,
): number {
  let inside = 0;
  let first = -1;
  let last = -1;
  for (let x = from; x < to; x++) {
    if (h0 * top[x] + h1 * bottom[x] > threshold) {
      row[x] = 1;
      inside++;
      if (first < 0) first = x;
      last = x;
    } else {
      row[x] = 0;
    }
  }
  extent[0] = first;
  extent[1] = last;
  return inside;
}

/** A thresholded mask with the measurements taken while it was written. */
export interface UpsampledMask {
  data: Uint8Array;
  /** Number of inside pixels. */
  area: number;
  /** Tight inclusive bounding box of the inside pixels, or null when the mask is empty. */
  bbox: BBox | null;
}

/**
 * Resize SAM 2 mask logits with PyTorch bilinear (align_corners=False) semantics and threshold them:
 * a destination pixel is 1 when its interpolated logit is STRICTLY greater than `threshold`
 * (SAM 2's `masks > mask_threshold`, so a logit of exactly 0 is outside).
 *
 * The area and bounding box come for free (same values as `maskArea` / `maskBoundingBox`).
 *
 * @param logits row-major srcWidth × srcHeight logits (e.g. SAM 2's 256 × 256 low-res mask)
 * @param out optional reusable destination of exactly dstWidth × dstHeight bytes
 */
export function upsampleLogitsToMaskWithStats(
  logits: Float32Array,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  threshold = 0,
  out?: Uint8Array,
): UpsampledMask {
  checkDimensions(logits, srcWidth, srcHeight, dstWidth, dstHeight, out);
  const mask = out ?? new Uint8Array(dstWidth * dstHeight);
  const spans = new ThresholdSpans(dstWidth);
  const extent = new Int32Array(2);
  let area = 0;
  let minX = dstWidth;
  let maxX = -1;
  let minY = -1;
  let maxY = -1;
  forEachBlendedRow(logits, srcWidth, srcHeight, dstWidth, dstHeight, (y, top, bottom, h0, h1, r0, r1) => {
    spans.update(r0, r1, top, bottom, threshold);
    const inside = spans.emit(mask.subarray(y * dstWidth, (y + 1) * dstWidth), top, bottom, h0, h1, threshold, extent);
    if (inside === 0) return;
    area += inside;
    if (minY < 0) minY = y;
    maxY = y;
    if (extent[0] < minX) minX = extent[0];
    if (extent[1] > maxX) maxX = extent[1];
  });
  const bbox = maxY < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
  return { data: mask, area, bbox };
}

/**
 * Resize SAM 2 mask logits with PyTorch bilinear (align_corners=False) semantics and threshold them
 * (see `upsampleLogitsToMaskWithStats`, which this wraps).
 *
 * @returns `out` (or a new array) with 1 inside and 0 outside, row-major
 */
export function upsampleLogitsToMask(
  logits: Float32Array,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  threshold = 0,
  out?: Uint8Array,
): Uint8Array {
  return upsampleLogitsToMaskWithStats(logits, srcWidth, srcHeight, dstWidth, dstHeight, threshold, out).data;
}

/**
 * The same resize without thresholding: the interpolated logits themselves, stored as float32.
 * Useful as a reference in tests and for callers that want soft edges (e.g. sigmoid alpha).
 *
 * @param out optional reusable destination of exactly dstWidth × dstHeight floats
 */
export function upsampleLogitsTo(
  logits: Float32Array,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  out?: Float32Array,
): Float32Array {
  checkDimensions(logits, srcWidth, srcHeight, dstWidth, dstHeight, out);
  const result = out ?? new Float32Array(dstWidth * dstHeight);
  forEachBlendedRow(logits, srcWidth, srcHeight, dstWidth, dstHeight, (y, top, bottom, h0, h1) => {
    const row = result.subarray(y * dstWidth, (y + 1) * dstWidth);
    for (let x = 0; x < row.length; x++) row[x] = h0 * top[x] + h1 * bottom[x];
  });
  return result;
}

/**
 * The interpolated logits one row at a time, in float64 and with exactly the arithmetic of
 * `upsampleLogitsToMaskWithStats` (so `row(y)[x] > threshold` is that mask's pixel): for consumers
 * that need values, not a mask, without holding a width × height float array (a 12 MP labels map
 * over several objects). Rows are cheapest read in increasing order.
 */
export class UpsampledRows {
  private readonly cols: LinearTaps;
  private readonly rows: LinearTaps;
  private readonly slots: [Float64Array, Float64Array];
  private readonly slotRow = [-1, -1];
  private readonly out: Float64Array;

  constructor(
    private readonly logits: Float32Array,
    private readonly srcWidth: number,
    srcHeight: number,
    readonly width: number,
    readonly height: number,
  ) {
    checkDimensions(logits, srcWidth, srcHeight, width, height, undefined);
    this.cols = linearTaps(srcWidth, width);
    this.rows = linearTaps(srcHeight, height);
    this.slots = [new Float64Array(width), new Float64Array(width)];
    this.out = new Float64Array(width);
  }

  /** Row y's logits; the array is reused by the next call. */
  row(y: number): Float64Array {
    const r0 = this.rows.i0[y];
    const r1 = this.rows.i1[y];
    const top = this.source(r0, r1);
    const bottom = this.source(r1, r0);
    const h0 = this.rows.w0[y];
    const h1 = this.rows.w1[y];
    const out = this.out;
    for (let x = 0; x < out.length; x++) out[x] = h0 * top[x] + h1 * bottom[x];
    return out;
  }

  private source(sourceRow: number, keepRow: number): Float64Array {
    if (this.slotRow[0] === sourceRow) return this.slots[0];
    if (this.slotRow[1] === sourceRow) return this.slots[1];
    const slot = this.slotRow[0] === keepRow ? 1 : 0;
    const into = this.slots[slot];
    const { i0, i1, w0, w1 } = this.cols;
    const base = sourceRow * this.srcWidth;
    for (let x = 0; x < into.length; x++) into[x] = w0[x] * this.logits[base + i0[x]] + w1[x] * this.logits[base + i1[x]];
    this.slotRow[slot] = sourceRow;
    return into;
  }
}

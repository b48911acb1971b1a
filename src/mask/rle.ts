/**
 * COCO run-length encoding, byte-for-byte compatible with pycocotools (`mask.encode`,
 * `mask.decode`, `mask.area`, `mask.toBbox`; C code in common/maskApi.c), so exported masks load
 * in any COCO tool and COCO annotations can be shown as masks.
 *
 * Conventions (pycocotools'):
 * - `size` is [height, width].
 * - Runs walk the mask in column-major (Fortran) order: down column 0, then column 1, ...
 * - Runs alternate background/foreground and START WITH BACKGROUND, so a mask whose top-left pixel
 *   is inside starts with a 0 count. The final run is always written, so an all-background mask is
 *   [h·w] and an all-foreground one [0, h·w].
 * - Compressed `counts` (pycocotools `rleToString`): for i > 2 (sic: not ≥ 2) each count is stored
 *   as its difference to the count two places earlier (same-polarity runs have similar lengths),
 *   then written as a signed little-endian base-32 number, 5 bits per character with 0x20 as the
 *   "more characters follow" bit and 0x10 of the last character as the sign, each char + 48.
 */
import { forEachVerticalChange } from './row-changes.js';
import { maskBoundingBox } from './stats.js';
import type { BinaryMask } from './types.js';

/** Compressed COCO RLE as pycocotools' `encode` returns it (counts decoded from bytes to str). */
export interface CocoRle {
  size: [number, number];
  counts: string;
}

/** COCO RLE as found in annotation files: compressed string counts or uncompressed run lengths. */
export interface CocoRleInput {
  size: readonly [number, number] | readonly number[];
  counts: string | readonly number[];
}

/**
 * Column-major run lengths of the mask (pycocotools `rleEncode`).
 *
 * A run boundary sits wherever a pixel differs from its column-major predecessor: the pixel above
 * it, or for row 0 the bottom pixel of the previous column. Finding boundaries in row-major order
 * (two cache-friendly, word-at-a-time passes: count per column, then record) avoids a strided
 * column walk over 12+ M pixels; within a column the boundaries come out already sorted by row.
 */
function columnMajorRuns(mask: BinaryMask): number[] {
  const { width: w, height: h, data } = mask;
  const total = w * h;
  if (total === 0) return [0];
  const inside = (i: number): boolean => data[i] !== 0;

  // Is pixel (x, y) a run start? Predecessor of (0, 0) is the implicit leading background.
  const perColumn = new Int32Array(w + 1);
  for (let x = 0; x < w; x++) {
    const previous = x === 0 ? false : inside((h - 1) * w + x - 1);
    if (inside(x) !== previous) perColumn[x + 1]++;
  }
  forEachVerticalChange(data, w, h, (x) => {
    perColumn[x + 1]++;
  });
  // Prefix sums → each column's slice of the boundary list.
  for (let x = 0; x < w; x++) perColumn[x + 1] += perColumn[x];
  const boundaries = new Float64Array(perColumn[w]);
  const cursor = perColumn.slice(0, w);
  for (let x = 0; x < w; x++) {
    const previous = x === 0 ? false : inside((h - 1) * w + x - 1);
    if (inside(x) !== previous) boundaries[cursor[x]++] = x * h;
  }
  forEachVerticalChange(data, w, h, (x, y) => {
    boundaries[cursor[x]++] = x * h + y;
  });

  const counts: number[] = [];
  let start = 0;
  for (let i = 0; i < boundaries.length; i++) {
    counts.push(boundaries[i] - start);
    start = boundaries[i];
  }
  counts.push(total - start);
  return counts;
}

/** pycocotools `rleToString`. */
function countsToString(counts: readonly number[]): string {
  const codes: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i] - (i > 2 ? counts[i - 2] : 0);
    let more = true;
    while (more) {
      // Arithmetic (sign-preserving) shift by 5 via floor division: safe beyond 32-bit ints.
      const high = Math.floor(x / 32);
      let c = x - high * 32;
      x = high;
      more = (c & 0x10) !== 0 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      codes.push(c + 48);
    }
  }
  let s = '';
  // fromCharCode(...bigArray) overflows the argument limit; go in chunks.
  for (let i = 0; i < codes.length; i += 8192) s += String.fromCharCode(...codes.slice(i, i + 8192));
  return s;
}

/** pycocotools `rleFrString`. */
function countsFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let scale = 1; // 32^k
    let more = true;
    while (more) {
      if (p >= s.length) throw new Error('truncated COCO RLE counts string');
      const c = s.charCodeAt(p++) - 48;
      if (c < 0 || c > 63) throw new Error(`invalid character in COCO RLE counts at ${p - 1}`);
      x += (c & 0x1f) * scale;
      scale *= 32;
      more = (c & 0x20) !== 0;
      // Last character's 0x10 bit is the sign: extend with ones above the bits read so far.
      if (!more && (c & 0x10) !== 0) x -= scale;
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

function runLengths(rle: CocoRleInput): number[] {
  return typeof rle.counts === 'string' ? countsFromString(rle.counts) : Array.from(rle.counts);
}

function sizeOf(rle: CocoRleInput): { height: number; width: number } {
  const [height, width] = rle.size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0) {
    throw new RangeError(`invalid COCO RLE size ${String(rle.size)}`);
  }
  return { height, width };
}

/** Encode a mask as compressed COCO RLE, identical to pycocotools `mask.encode` (counts as str). */
export function encodeCocoRle(mask: BinaryMask): CocoRle {
  return { size: [mask.height, mask.width], counts: countsToString(columnMajorRuns(mask)) };
}

/**
 * Decode COCO RLE (compressed string or uncompressed number[] counts) to a row-major mask.
 * Throws when the runs do not cover exactly height × width pixels.
 */
export function decodeCocoRle(rle: CocoRleInput): BinaryMask {
  const { height, width } = sizeOf(rle);
  const counts = runLengths(rle);
  const data = new Uint8Array(width * height);
  let p = 0; // column-major position
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i];
    if (!Number.isInteger(run) || run < 0) throw new Error(`invalid COCO RLE run length ${run} at ${i}`);
    if (p + run > width * height) throw new Error('COCO RLE runs exceed height × width');
    if (i % 2 === 1) {
      // Foreground run: write it column segment by column segment.
      let left = run;
      let q = p;
      while (left > 0) {
        const x = Math.floor(q / height);
        const y = q - x * height;
        const n = Math.min(left, height - y);
        for (let j = 0, o = y * width + x; j < n; j++, o += width) data[o] = 1;
        q += n;
        left -= n;
      }
    }
    p += run;
  }
  if (p !== width * height) throw new Error(`COCO RLE runs cover ${p} pixels, expected ${width * height}`);
  return { width, height, data };
}

/** Foreground pixel count of a COCO RLE (pycocotools `mask.area`): the sum of the odd runs. */
export function cocoArea(rle: CocoRleInput): number {
  const counts = runLengths(rle);
  let area = 0;
  for (let i = 1; i < counts.length; i += 2) area += counts[i];
  return area;
}

/**
 * COCO bbox [x, y, width, height] (pycocotools `mask.toBbox`): x, y of the top-left inside pixel,
 * width/height the pixel extent (so one pixel at (3, 4) is [3, 4, 1, 1]); [0, 0, 0, 0] when empty.
 * Accepts a mask or a COCO RLE; for RLE it follows `rleToBbox` run by run without decoding.
 */
export function cocoBbox(source: BinaryMask | CocoRleInput): [number, number, number, number] {
  if (!('counts' in source)) {
    const box = maskBoundingBox(source);
    return box ? [box.x, box.y, box.width, box.height] : [0, 0, 0, 0];
  }
  const { height: h, width: w } = sizeOf(source);
  const counts = runLengths(source);
  // A trailing background run does not matter; without any foreground run the box is empty.
  const m = Math.floor(counts.length / 2) * 2;
  if (m === 0 || h === 0) return [0, 0, 0, 0];
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let position = 0;
  let runStartX = 0;
  for (let j = 0; j < m; j++) {
    position += counts[j];
    // Even j: first pixel of the next foreground run; odd j: last pixel of this foreground run.
    const t = position - (j % 2);
    const y = t % h;
    const x = (t - y) / h;
    if (j % 2 === 0) runStartX = x;
    else if (runStartX < x) {
      // The run wraps from one column's bottom to a later column's top: it covers both the last
      // and the first row.
      ys = 0;
      ye = h - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}


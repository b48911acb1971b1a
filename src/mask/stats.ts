/**
 * Cheap single-pass measurements of a binary mask (area for UI read-outs and scoring, bounding box
 * for cropping/export). Any non-zero byte counts as inside.
 */
import type { BBox, BinaryMask } from './types.js';

/** Number of inside pixels. */
export function maskArea(mask: BinaryMask): number {
  const { data } = mask;
  const n = mask.width * mask.height;
  let area = 0;
  for (let i = 0; i < n; i++) {
    if (data[i] !== 0) area++;
  }
  return area;
}

/**
 * Tight bounding box of the inside pixels, inclusive: width = maxX − minX + 1, so a single pixel at
 * (x, y) gives { x, y, width: 1, height: 1 }. Returns null for an empty mask.
 *
 * One pass over the rows. A row is scanned from the left only until its first inside pixel, and
 * from the right only while it could still widen the box (x > current maxX), so rows of a solid
 * shape cost about their empty margins rather than their full width.
 */
export function maskBoundingBox(mask: BinaryMask): BBox | null {
  const { width, height, data } = mask;
  let minX = width;
  let maxX = -1;
  let minY = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    // Leftmost inside pixel of this row, or `width` when the row is empty.
    let left = 0;
    while (left < width && data[row + left] === 0) left++;
    if (left === width) continue;
    if (minY < 0) minY = y;
    maxY = y;
    if (left < minX) minX = left;
    // Only pixels right of maxX can widen the box on that side; stop at `left` (known inside).
    for (let x = width - 1; x > maxX && x >= left; x--) {
      if (data[row + x] !== 0) {
        maxX = x;
        break;
      }
    }
  }
  if (maxY < 0) return null;
  return { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

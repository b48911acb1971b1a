/**
 * Polygon → mask, the inverse of maskToPolygons: even-odd scanline fill sampled at pixel centres
 * (pixel (x, y) is inside when its centre (x + 0.5, y + 0.5) is inside). Within a polygon the
 * outer ring and its holes are combined even-odd; separate polygons are unioned, so overlapping
 * polygons do not cancel out.
 */
import type { Polygon } from './polygons.js';
import type { BinaryMask } from './types.js';

export function rasterizePolygons(polygons: readonly Polygon[], width: number, height: number): BinaryMask {
  const data = new Uint8Array(width * height);
  for (const polygon of polygons) fillPolygon([polygon.outer, ...polygon.holes], width, height, data);
  return { width, height, data };
}

/** Rows whose centre y + 0.5 lies in [yLow, yHigh): half-open, so a shared vertex counts once. */
function firstRow(y: number): number {
  return Math.ceil(y - 0.5);
}

function fillPolygon(rings: readonly (readonly number[])[], width: number, height: number, data: Uint8Array): void {
  let minY = Infinity;
  let maxY = -Infinity;
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i += 2) {
      if (ring[i] < minY) minY = ring[i];
      if (ring[i] > maxY) maxY = ring[i];
    }
  }
  const rowFrom = Math.max(0, firstRow(minY));
  const rowTo = Math.min(height, firstRow(maxY));
  if (!(rowFrom < rowTo)) return;

  // Crossings bucketed per row (CSR layout): count, prefix-sum, then fill.
  const rows = rowTo - rowFrom;
  const offsets = new Int32Array(rows + 1);
  const forEachCrossing = (visit: (row: number, x: number) => void): void => {
    for (const ring of rings) {
      const n = ring.length >> 1;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const x0 = ring[j * 2];
        const y0 = ring[j * 2 + 1];
        const x1 = ring[i * 2];
        const y1 = ring[i * 2 + 1];
        if (y0 === y1) continue;
        const from = Math.max(rowFrom, firstRow(Math.min(y0, y1)));
        const to = Math.min(rowTo, firstRow(Math.max(y0, y1)));
        const slope = (x1 - x0) / (y1 - y0);
        for (let row = from; row < to; row++) visit(row, x0 + (row + 0.5 - y0) * slope);
      }
    }
  };
  forEachCrossing((row) => offsets[row - rowFrom + 1]++);
  for (let r = 0; r < rows; r++) offsets[r + 1] += offsets[r];
  const xs = new Float64Array(offsets[rows]);
  const cursor = offsets.slice(0, rows);
  forEachCrossing((row, x) => {
    xs[cursor[row - rowFrom]++] = x;
  });

  for (let r = 0; r < rows; r++) {
    const crossings = xs.subarray(offsets[r], offsets[r + 1]).sort();
    const base = (rowFrom + r) * width;
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      // Pixel x is inside when crossings[k] ≤ x + 0.5 < crossings[k + 1].
      const xFrom = Math.max(0, Math.ceil(crossings[k] - 0.5));
      const xTo = Math.min(width, Math.ceil(crossings[k + 1] - 0.5));
      if (xFrom < xTo) data.fill(1, base + xFrom, base + xTo);
    }
  }
}

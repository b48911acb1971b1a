/**
 * Boundary tracing of a binary mask along pixel EDGES ("crack following"): ring vertices are pixel
 * corners, so the single pixel (x, y) traces to the square (x,y) (x+1,y) (x+1,y+1) (x,y+1) and the
 * polygons rasterize back to exactly the same pixels (pixel centres are never on an edge).
 *
 * Connectivity: foreground regions are 8-connected (diagonal neighbours belong to the same region,
 * like SAM 2's own `get_connected_components`), so holes are the 4-connected components of the
 * background that do not reach the image border — the dual connectivity, which is what makes every
 * boundary a simple closed curve that touches itself at most at a corner. Pixels outside the image
 * count as background.
 *
 * Orientation, in image coordinates (x right, y DOWN): every directed boundary edge keeps the
 * foreground on its right-hand side. That makes outer rings clockwise as seen on screen (positive
 * shoelace sum Σ xᵢ·yᵢ₊₁ − xᵢ₊₁·yᵢ) and holes counter-clockwise (negative).
 */
import { forEachVerticalChange } from './row-changes.js';
import type { BinaryMask } from './types.js';

export interface TracedRing {
  /** Flat x,y corner coordinates; only turning points, so no collinear vertices. */
  points: number[];
  /** True for a hole (boundary of an enclosed 4-connected background component). */
  isHole: boolean;
  /** Index (in the returned array) of the outer ring of the foreground region this ring bounds. */
  owner: number;
}

// Directions, clockwise on screen: 0 = east (+x), 1 = south (+y), 2 = west, 3 = north.
const STEP_X = [1, 0, -1, 0] as const;
const STEP_Y = [0, 1, 0, -1] as const;
// Pixels just ahead of a vertex (vx, vy), as offsets from it (pixel (px, py) has its top-left
// corner at (px, py)): front-left and front-right relative to the travel direction.
const FRONT_LEFT_X = [0, 0, -1, -1] as const;
const FRONT_LEFT_Y = [-1, 0, 0, -1] as const;
const FRONT_RIGHT_X = [0, -1, -1, 0] as const;
const FRONT_RIGHT_Y = [0, 0, -1, -1] as const;

/**
 * All boundary rings of the mask, in raster order of their top-left-most edge, each outer ring
 * before its holes.
 *
 * Cost: one pass comparing each pixel with the one above it to find every ring's top edge
 * (word-at-a-time, see row-changes.ts), plus work proportional to the boundary length. Memory: a
 * bitset over horizontal edges, plus a map over the west-facing boundary edges (only used to tell
 * which region a hole belongs to).
 */
export function traceRings(mask: BinaryMask): TracedRing[] {
  const { width: w, height: h, data } = mask;
  const rings: TracedRing[] = [];
  if (w === 0 || h === 0) return rings;

  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] !== 0;

  // Horizontal edge (x, y)→(x+1, y) for y in 0..h has id y·w + x; set once a ring has used it, so
  // the scan below starts exactly one trace per ring.
  const usedHorizontal = new Uint32Array(Math.ceil((w * (h + 1)) / 32));
  const isUsed = (e: number): boolean => (usedHorizontal[e >>> 5] & (1 << (e & 31))) !== 0;

  // West side of a foreground run (pixel (x, y) inside, (x−1, y) outside) → outer ring index of the
  // region it bounds. A hole's top edge lies under a run of its region, whose west side was traced
  // on an earlier row, so one lookup names the hole's owner without labelling any pixels.
  const ownerOfWestEdge = new Map<number, number>();

  const trace = (startX: number, startY: number, startDir: number, isHole: boolean, owner: number): void => {
    const points: number[] = [];
    let vx = startX;
    let vy = startY;
    let dir = startDir;
    do {
      if (dir === 0) {
        const e = vy * w + vx;
        usedHorizontal[e >>> 5] |= 1 << (e & 31);
      } else if (dir === 2) {
        const e = vy * w + vx - 1;
        usedHorizontal[e >>> 5] |= 1 << (e & 31);
      } else if (dir === 3) {
        ownerOfWestEdge.set((vy - 1) * (w + 1) + vx, owner);
      }
      vx += STEP_X[dir];
      vy += STEP_Y[dir];
      // Foreground is on the right. Turn left when the front-left pixel is foreground (at a
      // diagonal "saddle" this is what joins the two diagonal pixels: 8-connectivity), go straight
      // when only the front-right one is, otherwise turn right.
      let next: number;
      if (inside(vx + FRONT_LEFT_X[dir], vy + FRONT_LEFT_Y[dir])) next = (dir + 3) & 3;
      else if (inside(vx + FRONT_RIGHT_X[dir], vy + FRONT_RIGHT_Y[dir])) next = dir;
      else next = (dir + 1) & 3;
      if (next !== dir) points.push(vx, vy);
      dir = next;
    } while (vx !== startX || vy !== startY || dir !== startDir);
    // A corner at the start vertex is found last, when the ring closes; put it first so that an
    // outer ring starts at its top-left corner, e.g. pixel (x, y) → (x,y) (x+1,y) (x+1,y+1) (x,y+1).
    const n = points.length;
    if (points[n - 2] === startX && points[n - 1] === startY) {
      points.length = n - 2;
      points.unshift(startX, startY);
    }
    rings.push({ points, isHole, owner });
  };

  const startRingsAt = (x: number, line: number, topInside: boolean): void => {
    if (isUsed(line * w + x)) return;
    if (!topInside) {
      // First edge of an outer ring in raster order: its top-left corner, heading east.
      trace(x, line, 0, false, rings.length);
      return;
    }
    // First edge of a hole: the bottom of pixel (x, line−1), heading west from its right corner.
    const runY = line - 1;
    let runStart = x;
    while (runStart > 0 && data[runY * w + runStart - 1] !== 0) runStart--;
    const owner = ownerOfWestEdge.get(runY * (w + 1) + runStart);
    if (owner === undefined) throw new Error(`traceRings: no region found for the hole at (${x}, ${line})`);
    trace(x + 1, line, 2, true, owner);
  };

  // Edge line y lies between pixel rows y−1 and y; a boundary edge is where they differ.
  for (let x = 0; x < w; x++) if (data[x] !== 0) startRingsAt(x, 0, false);
  forEachVerticalChange(data, w, h, (x, line) => startRingsAt(x, line, data[(line - 1) * w + x] !== 0));
  const lastRow = (h - 1) * w;
  for (let x = 0; x < w; x++) if (data[lastRow + x] !== 0) startRingsAt(x, h, true);
  return rings;
}

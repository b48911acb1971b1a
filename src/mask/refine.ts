/**
 * Image-guided mask edges (`edges="image"`): SAM 2's mask, upsampled exactly as `edges="model"`
 * does, then — only inside a narrow band of low-res cells around the model's boundary — moved to
 * where the image's own colour edges are, with a colour guided filter (guided-filter.ts) of the
 * model's soft mask, guided by the natural-size image.
 *
 * Why a band: SAM 2 predicts on a 256×256 grid, so on a 12 MP photo one cell is ~16×12 px and
 * the model's edge wanders by up to a cell; the image knows where the edge is to the pixel, but
 * not which object it belongs to. Letting the image decide only within `bandCells` cells of the
 * model's boundary keeps the model's choice of regions (nothing is invented or lost far from its
 * edge: outside the band every pixel is the model's, bit for bit) and gives the pixels near the
 * edge to the image.
 *
 * Cost: the model's upsample (as `edges="model"`) plus work proportional to the band's area, not
 * the image's: tiles of 8×8 quads without a band quad are skipped, and the filter's coefficients
 * are fitted on a grid subsampled to ~4 samples per window radius (Fast Guided Filter).
 */
import { RefinedEdges, type RefinedTile } from './refined-edges.js';
import { QuadCounts, bandQuads, quadAxis } from './refine-band.js';
import { TileGuidedFilter, WorkGuide, type WorkRect } from './guided-filter.js';
import type { BBox } from './types.js';
import { upsampleLogitsToMaskWithStats, type UpsampledMask } from './upsample.js';

/** Natural-size pixels to follow: RGBA, row-major (an ImageData, or its `data` with a size). */
export interface GuideImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

export interface RefineOptions {
  /** The mask threshold on logits (SAM 2's `mask_threshold`), default 0. */
  threshold?: number;
  /** Half-width of the band around the model's edge, in low-res cells. Default 2. */
  bandCells?: number;
  /** Guided-filter window radius, in low-res cells. Default 2 (see `DEFAULT_REFINE`). */
  radiusCells?: number;
  /** Guided-filter regularisation, in units of colour variance (colours in [0, 1]). */
  epsilon?: number;
  /**
   * Work-grid samples per window radius (Fast Guided Filter subsampling): fewer is faster, the
   * edge still lands on full-resolution colours. Default 2.
   */
  samplesPerRadius?: number;
  /** Optional reusable destination of exactly width × height bytes. */
  out?: Uint8Array;
}

/** The defaults, chosen on the quality harness (test/edges): see docs in README "Mask edges". */
export const DEFAULT_REFINE = { bandCells: 2, radiusCells: 2, epsilon: 1e-4, samplesPerRadius: 2 } as const;

/** The refined binary mask, its area and box, and the band's refined scores. */
export interface RefinedMask extends UpsampledMask {
  edges: RefinedEdges;
}

/** Quads per tile side: small enough to skip most of the image, big enough to amortise halos. */
const TILE_QUADS = 8;
/** q is kept in [Q_MIN, Q_MAX] so scores stay finite (±8.3 around the threshold). */
const Q_MIN = 2 ** -12;
const Q_MAX = 1 - 2 ** -12;

/**
 * Refines SAM 2's mask of `logits` (srcWidth × srcHeight, e.g. 256 × 256) at the size of
 * `image`, whose pixels guide the edge. Pixels outside the band are exactly
 * `upsampleLogitsToMaskWithStats(logits, …, image.width, image.height, threshold)`.
 */
export function refineMaskWithImage(
  logits: Float32Array,
  srcWidth: number,
  srcHeight: number,
  image: GuideImage,
  options: RefineOptions = {},
): RefinedMask {
  const { width, height, data: rgba } = image;
  if (rgba.length !== width * height * 4) throw new RangeError(`image has ${rgba.length} bytes, expected ${width}×${height}×4`);
  const threshold = options.threshold ?? 0;
  const bandCells = options.bandCells ?? DEFAULT_REFINE.bandCells;
  const radiusCells = options.radiusCells ?? DEFAULT_REFINE.radiusCells;
  const epsilon = options.epsilon ?? DEFAULT_REFINE.epsilon;
  if (!(radiusCells > 0) || !(epsilon > 0) || !(bandCells >= 0)) throw new RangeError('radiusCells and epsilon must be > 0, bandCells ≥ 0');

  const model = upsampleLogitsToMaskWithStats(logits, srcWidth, srcHeight, width, height, threshold, options.out);
  const mask = model.data;
  const band = bandQuads(logits, srcWidth, srcHeight, threshold, bandCells);
  const bandCounts = new QuadCounts(band, srcWidth, srcHeight);
  const columns = quadAxis(srcWidth, width);
  const rows = quadAxis(srcHeight, height);

  // The work grid: square blocks of `step` px, about four per window radius.
  const radiusX = radiusCells * (width / srcWidth);
  const radiusY = radiusCells * (height / srcHeight);
  const step = Math.max(1, Math.floor(Math.min(radiusX, radiusY) / (options.samplesPerRadius ?? DEFAULT_REFINE.samplesPerRadius)));
  const grid = new WorkGrid(width, height, step, Math.ceil(width / srcWidth) + 1);
  const guide = new WorkGuide(grid.width, grid.height, Math.max(4, Math.min(16, Math.round(32 / step))), guideSampler(logits, srcWidth, srcHeight, image, step, threshold));
  const filter = new TileGuidedFilter(guide, Math.max(1, Math.round(radiusX / step)), Math.max(1, Math.round(radiusY / step)), epsilon);

  const tiles: RefinedTile[] = [];
  const quad: QuadModel = { a: 0, b: 0, c: 0, d: 0, lambdaX: columns.lambda, lambdaY: rows.lambda, threshold };
  const counts = { area: model.area, band: 0, changed: 0 };
  for (let ti = 0; ti < srcHeight; ti += TILE_QUADS) {
    // The tiles of this row that hold band quads, fitted together in runs of neighbours: one
    // filter rect per run shares the window halos that separate tiles would each pay for.
    let run: BandTile[] = [];
    for (let tj = 0; tj <= srcWidth; tj += TILE_QUADS) {
      const quads = tj < srcWidth ? bandExtent(band, bandCounts, srcWidth, ti, Math.min(srcHeight, ti + TILE_QUADS), tj, Math.min(srcWidth, tj + TILE_QUADS)) : null;
      const x0 = quads ? columns.start[quads.j0] : 0;
      const x1 = quads ? columns.start[quads.j1] : 0;
      const y0 = quads ? rows.start[quads.i0] : 0;
      const y1 = quads ? rows.start[quads.i1] : 0;
      if (quads && x1 > x0 && y1 > y0) {
        run.push({ quads, tile: { x: x0, y: y0, width: x1 - x0, height: y1 - y0, q: new Float32Array((x1 - x0) * (y1 - y0)).fill(NaN) } });
        continue;
      }
      if (run.length === 0) continue;
      const out = {
        x0: grid.u0[run[0].tile.x],
        x1: grid.u1[run[run.length - 1].tile.x + run[run.length - 1].tile.width - 1],
        y0: Math.min(...run.map(({ tile }) => grid.v0[tile.y])),
        y1: Math.max(...run.map(({ tile }) => grid.v1[tile.y + tile.height - 1])),
      };
      filter.run(out);
      for (const { quads, tile } of run) {
        for (let qi = quads.i0; qi < quads.i1; qi++) {
          for (let qj = quads.j0; qj < quads.j1; qj++) {
            if (band[qi * srcWidth + qj] === 0) continue;
            const span = { x0: columns.start[qj], x1: columns.start[qj + 1], y0: rows.start[qi], y1: rows.start[qi + 1] };
            const r0 = qi * srcWidth;
            const r1 = Math.min(qi + 1, srcHeight - 1) * srcWidth;
            const j1 = Math.min(qj + 1, srcWidth - 1);
            quad.a = logits[r0 + qj];
            quad.b = logits[r0 + j1];
            quad.c = logits[r1 + qj];
            quad.d = logits[r1 + j1];
            applyCoefficients(filter.output, out, grid, span, quad, rgba, width, tile, mask, counts);
          }
        }
        tiles.push(tile);
      }
      run = [];
    }
  }
  const bbox = counts.changed === 0 ? model.bbox : boundingBox(mask, width, height);
  const edges = new RefinedEdges(width, height, threshold, tiles, TILE_QUADS, columns, rows, counts.band, counts.changed);
  return { data: mask, area: counts.area, bbox, edges };
}

/** A tile of the band and the half-open quad ranges of its band's extent. */
interface BandTile {
  quads: { i0: number; i1: number; j0: number; j1: number };
  tile: RefinedTile;
}

/** The quads of a tile's band, as half-open ranges, or null when the tile holds none. */
function bandExtent(band: Uint8Array, counts: QuadCounts, srcWidth: number, i0: number, i1: number, j0: number, j1: number) {
  if (counts.count(i0, i1, j0, j1) === 0) return null;
  let top = i1;
  let bottom = i0;
  let left = j1;
  let right = j0;
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      if (band[i * srcWidth + j] === 0) continue;
      if (i < top) top = i;
      if (i >= bottom) bottom = i + 1;
      if (j < left) left = j;
      if (j >= right) right = j + 1;
    }
  }
  return { i0: top, i1: bottom, j0: left, j1: right };
}

/**
 * The full-resolution step for the pixels of one band quad: the coefficients bilinearly from the
 * work grid, q = Ā·I + B̄ + (1 − W̄)·p with the pixel's own colour I and the model's own
 * probability p there, and the mask follows q > ½. The float32 q that is
 * stored is the one that decides, so every later reader of it agrees with the mask.
 */
function applyCoefficients(
  coefficients: Float64Array,
  out: { x0: number; y0: number; x1: number },
  grid: WorkGrid,
  span: { x0: number; x1: number; y0: number; y1: number },
  model: QuadModel,
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  tile: RefinedTile,
  mask: Uint8Array,
  counts: { area: number; band: number; changed: number },
) {
  const outWidth = out.x1 - out.x0 + 1;
  const { u0, u1, uw, v0, v1, vw } = grid;
  const q = tile.q;
  // Work columns this span reads, blended vertically once per row (a work column serves `step`
  // pixels), so each pixel only blends horizontally.
  const first = u0[span.x0];
  const last = u1[span.x1 - 1];
  const column = grid.scratch;
  const { a, b, c, d, lambdaX, lambdaY, threshold } = model;
  let area = 0;
  let changed = 0;
  for (let y = span.y0; y < span.y1; y++) {
    const row0 = (v0[y] - out.y0) * outWidth - out.x0;
    const row1 = (v1[y] - out.y0) * outWidth - out.x0;
    const wy = vw[y];
    for (let X = first; X <= last; X++) {
      const i0 = (row0 + X) * 5;
      const i1 = (row1 + X) * 5;
      const at = (X - first) * 5;
      for (let k = 0; k < 5; k++) column[at + k] = coefficients[i0 + k] + wy * (coefficients[i1 + k] - coefficients[i0 + k]);
    }
    // The model's logit here: the quad's four corners, PyTorch's bilinear weights.
    const h1 = lambdaY[y];
    const h0 = 1 - h1;
    const tileRow = (y - tile.y) * tile.width - tile.x;
    for (let x = span.x0; x < span.x1; x++) {
      const wx = uw[x];
      const l = (u0[x] - first) * 5;
      const r = (u1[x] - first) * 5;
      const pixel = (y * width + x) * 4;
      const w1 = lambdaX[x];
      const w0 = 1 - w1;
      const logit = h0 * (w0 * a + w1 * b) + h1 * (w0 * c + w1 * d);
      const p = 1 / (1 + Math.exp(threshold - logit));
      const value =
        ((column[l] + wx * (column[r] - column[l])) * rgba[pixel] +
          (column[l + 1] + wx * (column[r + 1] - column[l + 1])) * rgba[pixel + 1] +
          (column[l + 2] + wx * (column[r + 2] - column[l + 2])) * rgba[pixel + 2]) *
          INV_255 +
        column[l + 3] +
        wx * (column[r + 3] - column[l + 3]) +
        (1 - (column[l + 4] + wx * (column[r + 4] - column[l + 4]))) * p;
      const stored = Math.fround(value < Q_MIN ? Q_MIN : value > Q_MAX ? Q_MAX : value);
      q[tileRow + x] = stored;
      const inside = stored > 0.5 ? 1 : 0;
      const index = y * width + x;
      if (mask[index] !== inside) {
        mask[index] = inside;
        area += inside ? 1 : -1;
        changed++;
      }
    }
  }
  counts.area += area;
  counts.changed += changed;
  counts.band += (span.x1 - span.x0) * (span.y1 - span.y0);
}

/** The model inside one quad: its four corner logits and the pixels' bilinear weights. */
interface QuadModel {
  a: number;
  b: number;
  c: number;
  d: number;
  lambdaX: Float64Array;
  lambdaY: Float64Array;
  threshold: number;
}

const INV_255 = 1 / 255;

/**
 * The subsampled grid the filter's coefficients live on, and where each natural pixel falls on
 * it: block X covers natural [X·step, (X+1)·step), its centre is at natural (X + ½)·step − ½, so
 * natural x sits at u = (x + ½)/step − ½ (clamped), between u0 = ⌊u⌋ and u1 = u0 + 1 at weight uw.
 */
class WorkGrid {
  readonly width: number;
  readonly height: number;
  readonly u0: Int32Array;
  readonly u1: Int32Array;
  readonly uw: Float64Array;
  readonly v0: Int32Array;
  readonly v1: Int32Array;
  readonly vw: Float64Array;
  /** The five coefficients of each work column of one quad's span, blended to one natural row. */
  readonly scratch: Float64Array;

  constructor(naturalWidth: number, naturalHeight: number, readonly step: number, quadWidth: number) {
    this.width = Math.ceil(naturalWidth / step);
    this.height = Math.ceil(naturalHeight / step);
    this.scratch = new Float64Array((Math.ceil(quadWidth / step) + 3) * 5);
    [this.u0, this.u1, this.uw] = WorkGrid.axis(naturalWidth, this.width, step);
    [this.v0, this.v1, this.vw] = WorkGrid.axis(naturalHeight, this.height, step);
  }

  private static axis(natural: number, cells: number, step: number): [Int32Array, Int32Array, Float64Array] {
    const lo = new Int32Array(natural);
    const hi = new Int32Array(natural);
    const weight = new Float64Array(natural);
    for (let x = 0; x < natural; x++) {
      const u = Math.min(cells - 1, Math.max(0, (x + 0.5) / step - 0.5));
      lo[x] = Math.floor(u);
      hi[x] = Math.min(lo[x] + 1, cells - 1);
      weight[x] = u - lo[x];
    }
    return [lo, hi, weight];
  }
}

/**
 * Guide and input of the filter on the work grid: the block's mean colour in [0, 1], and the
 * model's probability σ(logit − threshold) at the block's centre (PyTorch's bilinear sampling
 * of the logits at a fractional natural coordinate).
 */
function guideSampler(logits: Float32Array, srcWidth: number, srcHeight: number, image: GuideImage, step: number, threshold: number) {
  const { width, height, data } = image;
  const taps = (natural: number, srcSize: number) => {
    const cells = Math.ceil(natural / step);
    const i0 = new Int32Array(cells);
    const i1 = new Int32Array(cells);
    const w = new Float64Array(cells);
    for (let c = 0; c < cells; c++) {
      const first = c * step;
      const centre = (first + Math.min(natural, first + step)) / 2 - 0.5;
      const s = Math.min(srcSize - 1, Math.max(0, ((centre + 0.5) * srcSize) / natural - 0.5));
      i0[c] = Math.floor(s);
      i1[c] = Math.min(i0[c] + 1, srcSize - 1);
      w[c] = s - i0[c];
    }
    return { i0, i1, w };
  };
  const cols = taps(width, srcWidth);
  const rows = taps(height, srcHeight);
  // A block's mean colour from every `stride`-th pixel each way: the guide only needs the
  // block's colour, and large blocks (12 MP: 11×11 px) would otherwise dominate the cost.
  const stride = Math.max(1, Math.floor(step / 4));
  const offset = Math.floor((step - 1 - (Math.ceil(step / stride) - 1) * stride) / 2);
  return (rect: WorkRect, guide: WorkGuide) => {
    const { red, green, blue, p } = guide;
    for (let Y = rect.y0; Y <= rect.y1; Y++) {
      const top = Y * step;
      const bottom = Math.min(height, top + step);
      const r0 = rows.i0[Y] * srcWidth;
      const r1 = rows.i1[Y] * srcWidth;
      const wy = rows.w[Y];
      for (let X = rect.x0; X <= rect.x1; X++) {
        const left = X * step;
        const right = Math.min(width, left + step);
        let sr = 0;
        let sg = 0;
        let sb = 0;
        let n = 0;
        // Clipped blocks at the right/bottom border start at their first pixel.
        const yStart = top + (bottom - top === step ? offset : 0);
        const xStart = left + (right - left === step ? offset : 0);
        for (let y = yStart; y < bottom; y += stride) {
          for (let i = (y * width + xStart) * 4, end = (y * width + right) * 4; i < end; i += 4 * stride) {
            sr += data[i];
            sg += data[i + 1];
            sb += data[i + 2];
            n++;
          }
        }
        const norm = INV_255 / n;
        const at = Y * guide.width + X;
        red[at] = sr * norm;
        green[at] = sg * norm;
        blue[at] = sb * norm;
        const j0 = cols.i0[X];
        const j1 = cols.i1[X];
        const wx = cols.w[X];
        const logit = (1 - wy) * ((1 - wx) * logits[r0 + j0] + wx * logits[r0 + j1]) + wy * ((1 - wx) * logits[r1 + j0] + wx * logits[r1 + j1]);
        p[at] = 1 / (1 + Math.exp(threshold - logit));
      }
    }
  };
}

/** Tight box of the inside pixels, row by row with the engine's native byte search. */
function boundingBox(mask: Uint8Array, width: number, height: number): BBox | null {
  let minX = width;
  let maxX = -1;
  let minY = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    const row = mask.subarray(y * width, (y + 1) * width);
    const left = row.indexOf(1);
    if (left < 0) continue;
    if (minY < 0) minY = y;
    maxY = y;
    if (left < minX) minX = left;
    const right = row.lastIndexOf(1);
    if (right > maxX) maxX = right;
  }
  return maxY < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

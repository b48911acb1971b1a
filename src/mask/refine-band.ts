/**
 * Where the image may move a mask edge: the band of low-resolution cells around the model's own
 * boundary. Everything outside the band keeps the model's value bit for bit, which is what stops
 * an image-guided refinement from inventing or losing whole regions.
 *
 * Geometry: with PyTorch's bilinear resize (align_corners=false) a natural-size pixel's logit is
 * a blend of the four low-res samples around it, `(i0, j0)`..`(i1, j1)` with `i1 = min(i0 + 1,
 * n − 1)`; call that group of four the pixel's "quad", named by its top-left sample (i0, j0). A
 * blend of four values on one side of the threshold stays on that side, so the model's edge can
 * only pass through quads whose corners disagree ("edge quads"). The band is every quad within
 * `cells` quads (Chebyshev) of an edge quad; a pixel is in the band iff its quad is.
 */

/** Per-axis mapping from destination pixels to their quad (the i0 of the bilinear taps). */
export interface QuadAxis {
  /** quad index of every destination pixel (monotonic, 0..src − 1) */
  quadOf: Int32Array;
  /** first destination pixel of quad q (length src + 1; start[src] = dst) */
  start: Int32Array;
  /** bilinear weight λ of the quad's far sample for every destination pixel */
  lambda: Float64Array;
}

/** Same source-index rule as upsample.ts's `linearTaps` (PyTorch `area_pixel_compute_source_index`). */
export function quadAxis(srcSize: number, dstSize: number): QuadAxis {
  const quadOf = new Int32Array(dstSize);
  const lambda = new Float64Array(dstSize);
  const scale = srcSize / dstSize;
  for (let d = 0; d < dstSize; d++) {
    let s = scale * (d + 0.5) - 0.5;
    if (s < 0) s = 0;
    quadOf[d] = Math.min(Math.floor(s), srcSize - 1);
    lambda[d] = s - quadOf[d];
  }
  const start = new Int32Array(srcSize + 1).fill(dstSize);
  for (let d = dstSize - 1; d >= 0; d--) start[quadOf[d]] = d;
  // Quads no pixel maps to (downsampling) start where the next one does.
  for (let q = srcSize - 1; q >= 0; q--) if (start[q] > start[q + 1]) start[q] = start[q + 1];
  return { quadOf, start, lambda };
}

/**
 * 1 for every quad in the band, 0 elsewhere (row-major, srcWidth × srcHeight).
 *
 * A quad is an edge quad unless all four corners are clearly on one side of the threshold; the
 * margin is the one upsample.ts uses to skip blends, so "not an edge quad" guarantees that every
 * pixel of the quad has exactly the side its corners have.
 */
export function bandQuads(logits: Float32Array, srcWidth: number, srcHeight: number, threshold: number, cells: number): Uint8Array {
  const edge = new Uint8Array(srcWidth * srcHeight);
  let any = false;
  for (let i = 0; i < srcHeight; i++) {
    const r0 = i * srcWidth;
    const r1 = Math.min(i + 1, srcHeight - 1) * srcWidth;
    for (let j = 0; j < srcWidth; j++) {
      const j1 = Math.min(j + 1, srcWidth - 1);
      const a = logits[r0 + j];
      const b = logits[r0 + j1];
      const c = logits[r1 + j];
      const d = logits[r1 + j1];
      const margin = 1e-9 * (Math.abs(a) + Math.abs(b) + Math.abs(c) + Math.abs(d)) + 1e-300;
      const high = threshold + margin;
      const low = threshold - margin;
      const inside = a > high && b > high && c > high && d > high;
      const outside = a < low && b < low && c < low && d < low;
      if (!inside && !outside) {
        edge[r0 + j] = 1;
        any = true;
      }
    }
  }
  if (!any || cells <= 0) return edge;
  return dilate(edge, srcWidth, srcHeight, Math.ceil(cells));
}

/** Square (Chebyshev) dilation by `radius`, separable: rows then columns, with running counts. */
function dilate(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) dilateLine(mask, rows, y * width, 1, width, radius);
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < width; x++) dilateLine(rows, out, x, width, height, radius);
  return out;
}

function dilateLine(src: Uint8Array, dst: Uint8Array, base: number, step: number, length: number, radius: number) {
  let count = 0;
  for (let i = 0; i < Math.min(radius, length); i++) count += src[base + i * step];
  for (let i = 0; i < length; i++) {
    const enter = i + radius;
    if (enter < length) count += src[base + enter * step];
    const leave = i - radius - 1;
    if (leave >= 0) count -= src[base + leave * step];
    dst[base + i * step] = count > 0 ? 1 : 0;
  }
}

/**
 * Summed-area table of a 0/1 grid, so "does this rectangle of quads hold any band quad" is O(1):
 * sat[(i + 1) * (w + 1) + (j + 1)] = number of ones in rows < i + 1 and columns < j + 1.
 */
export class QuadCounts {
  private readonly sat: Int32Array;
  private readonly stride: number;

  constructor(grid: Uint8Array, width: number, height: number) {
    this.stride = width + 1;
    this.sat = new Int32Array((width + 1) * (height + 1));
    for (let i = 0; i < height; i++) {
      let rowSum = 0;
      for (let j = 0; j < width; j++) {
        rowSum += grid[i * width + j];
        this.sat[(i + 1) * this.stride + j + 1] = this.sat[i * this.stride + j + 1] + rowSum;
      }
    }
  }

  /** Ones in rows [i0, i1) × columns [j0, j1). */
  count(i0: number, i1: number, j0: number, j1: number): number {
    const s = this.stride;
    return this.sat[i1 * s + j1] - this.sat[i0 * s + j1] - this.sat[i1 * s + j0] + this.sat[i0 * s + j0];
  }
}

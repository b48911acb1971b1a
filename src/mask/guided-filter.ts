/**
 * The colour guided filter of He, Sun & Tang ("Guided Image Filtering", TPAMI 2013, §4 and its
 * "feathering" application), on tiles of a subsampled work grid, as in He & Sun's "Fast Guided
 * Filter" (2015): the linear coefficients (a, b) are fitted on the work grid and then applied at
 * full resolution, q = ā·I + b̄, with I the full-resolution colour. The edge therefore lands
 * where the full-resolution colours change, while the fit costs 1/s² of the pixels.
 * One addition to He's filter: each window's fit is weighted by how well colour explains the
 * model's mask there (see `fitCoefficients`), and the rest of the weight stays with the model.
 *
 * Why this filter: in every window it fits the input (the model's soft mask) as a linear function
 * of colour. Where a window straddles a colour edge and the model's edge is off by less than
 * about a third of the window, the fit maps the object's colour above ½ and the background's
 * below, so thresholding q at ½ moves the edge onto the colour edge. Where colour explains
 * nothing (flat, noise), the pixel keeps the model's own probability: its edge stays where it was.
 */

/** A rectangle of work-grid pixels, inclusive bounds. */
export interface WorkRect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * The filter's guide I (RGB in [0, 1]: each block's mean colour) and input p (the model's
 * probability at the block's centre) on the whole work grid, filled lazily in blocks of
 * blocks, so pixels shared by the halos of neighbouring tiles are sampled once.
 */
export class WorkGuide {
  readonly red: Float32Array;
  readonly green: Float32Array;
  readonly blue: Float32Array;
  readonly p: Float32Array;
  private readonly filled: Uint8Array;
  private readonly blocksAcross: number;

  /**
   * @param block side of the lazily filled blocks, in work pixels: ~32 natural pixels, so large
   *   work pixels don't make a block sample far beyond the halo that needs it.
   */
  constructor(
    readonly width: number,
    readonly height: number,
    private readonly block: number,
    /** Fills guide and input for a rect of work pixels into the arrays above (grid-indexed). */
    private readonly sample: (rect: WorkRect, guide: WorkGuide) => void,
  ) {
    const n = width * height;
    this.red = new Float32Array(n);
    this.green = new Float32Array(n);
    this.blue = new Float32Array(n);
    this.p = new Float32Array(n);
    this.blocksAcross = Math.ceil(width / this.block);
    this.filled = new Uint8Array(this.blocksAcross * Math.ceil(height / this.block));
  }

  /** Makes sure every work pixel of `rect` is sampled. */
  ensure(rect: WorkRect): void {
    const { block } = this;
    for (let by = Math.floor(rect.y0 / block); by <= Math.floor(rect.y1 / block); by++) {
      for (let bx = Math.floor(rect.x0 / block); bx <= Math.floor(rect.x1 / block); bx++) {
        const index = by * this.blocksAcross + bx;
        if (this.filled[index]) continue;
        this.filled[index] = 1;
        const x0 = bx * block;
        const y0 = by * block;
        this.sample({ x0, y0, x1: Math.min(this.width, x0 + block) - 1, y1: Math.min(this.height, y0 + block) - 1 }, this);
      }
    }
  }
}

const STATS = 14; // Σ r, g, b, p, rr, rg, rb, gg, gb, bb, rp, gp, bp, pp
export const COEFFICIENTS = 5; // mean of w·a_r, w·a_g, w·a_b, w·b, and of w

/**
 * Reusable scratch for one refinement call (tiles are processed one after another): the tables
 * grow to the largest tile and are then reused.
 */
export class TileGuidedFilter {
  private stats = new Float64Array(0);
  private coefficients = new Float64Array(0);
  private coefficientSums = new Float64Array(0);
  /**
   * Per work pixel of the last `run`'s output rect (interleaved, row-major): Ā (3) and B̄, the
   * window means of w·a and w·b, and W̄, the mean weight. The refined value of a natural pixel
   * of colour I and model probability p is then q = Ā·I + B̄ + (1 − W̄)·p.
   */
  output = new Float64Array(0);

  /** @param rx, ry window radius in work pixels (the window is (2rx + 1) × (2ry + 1)) */
  constructor(
    private readonly guide: WorkGuide,
    private readonly rx: number,
    private readonly ry: number,
    private readonly epsilon: number,
  ) {}

  /** Computes the coefficients of every work pixel of `out` into `this.output`. */
  run(out: WorkRect): void {
    const { rx, ry, guide } = this;
    const maxX = guide.width - 1;
    const maxY = guide.height - 1;
    // Coefficients are needed one radius around the output (for their box mean), and the guide
    // one radius around those (for the window statistics). Windows clip at the grid's border.
    const coef: WorkRect = { x0: Math.max(0, out.x0 - rx), x1: Math.min(maxX, out.x1 + rx), y0: Math.max(0, out.y0 - ry), y1: Math.min(maxY, out.y1 + ry) };
    const source: WorkRect = { x0: Math.max(0, coef.x0 - rx), x1: Math.min(maxX, coef.x1 + rx), y0: Math.max(0, coef.y0 - ry), y1: Math.min(maxY, coef.y1 + ry) };
    guide.ensure(source);
    const sw = source.x1 - source.x0 + 1;
    const sh = source.y1 - source.y0 + 1;
    const table = (sw + 1) * (sh + 1);
    if (this.stats.length < table * STATS) this.stats = new Float64Array(table * STATS);
    if (this.coefficients.length < sw * sh * COEFFICIENTS) {
      this.coefficients = new Float64Array(sw * sh * COEFFICIENTS);
      this.output = new Float64Array(sw * sh * COEFFICIENTS);
    }
    if (this.coefficientSums.length < table * COEFFICIENTS) this.coefficientSums = new Float64Array(table * COEFFICIENTS);
    integrateStats(guide, source, this.stats);
    fitCoefficients(this.stats, source, coef, guide.width, guide.height, rx, ry, this.epsilon, this.coefficients);
    averageCoefficients(this.coefficients, this.coefficientSums, coef, out, guide.width, guide.height, rx, ry, this.output);
  }
}

/** Summed-area table of the 13 products over `rect`, with a zero first row and column. */
function integrateStats(guide: WorkGuide, rect: WorkRect, stats: Float64Array) {
  const { red, green, blue, p, width } = guide;
  const w = rect.x1 - rect.x0 + 1;
  const h = rect.y1 - rect.y0 + 1;
  const stride = (w + 1) * STATS;
  stats.fill(0, 0, stride);
  for (let y = 0; y < h; y++) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0, s9 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    const up = y * stride;
    const here = up + stride;
    for (let c = 0; c < STATS; c++) stats[here + c] = 0;
    const row = (rect.y0 + y) * width + rect.x0;
    for (let x = 0; x < w; x++) {
      const r = red[row + x];
      const g = green[row + x];
      const b = blue[row + x];
      const v = p[row + x];
      s0 += r;
      s1 += g;
      s2 += b;
      s3 += v;
      s4 += r * r;
      s5 += r * g;
      s6 += r * b;
      s7 += g * g;
      s8 += g * b;
      s9 += b * b;
      s10 += r * v;
      s11 += g * v;
      s12 += b * v;
      s13 += v * v;
      const at = here + (x + 1) * STATS;
      const above = up + (x + 1) * STATS;
      stats[at] = stats[above] + s0;
      stats[at + 1] = stats[above + 1] + s1;
      stats[at + 2] = stats[above + 2] + s2;
      stats[at + 3] = stats[above + 3] + s3;
      stats[at + 4] = stats[above + 4] + s4;
      stats[at + 5] = stats[above + 5] + s5;
      stats[at + 6] = stats[above + 6] + s6;
      stats[at + 7] = stats[above + 7] + s7;
      stats[at + 8] = stats[above + 8] + s8;
      stats[at + 9] = stats[above + 9] + s9;
      stats[at + 10] = stats[above + 10] + s10;
      stats[at + 11] = stats[above + 11] + s11;
      stats[at + 12] = stats[above + 12] + s12;
      stats[at + 13] = stats[above + 13] + s13;
    }
  }
}

/**
 * a = (Σ + εU)⁻¹ cov(I, p), b = p̄ − a·Ī for every work pixel of `coef`, each weighted by how much
 * of the window's variance of p the colours explain, w = a·cov(I, p) / var(p) ∈ [0, 1] (the R² of
 * the fit). A window whose colours say nothing about the model's edge (flat, noisy, or texture
 * unrelated to it) then hands the pixel back to the model instead of box-smoothing its mask.
 */
function fitCoefficients(
  stats: Float64Array,
  source: WorkRect,
  coef: WorkRect,
  gridWidth: number,
  gridHeight: number,
  rx: number,
  ry: number,
  epsilon: number,
  out: Float64Array,
) {
  const stride = (source.x1 - source.x0 + 2) * STATS;
  const cw = coef.x1 - coef.x0 + 1;
  for (let y = coef.y0; y <= coef.y1; y++) {
    // Window rows relative to the source rect, as summed-area-table rows [top, bottom).
    const top = Math.max(0, y - ry) - source.y0;
    const bottom = Math.min(gridHeight - 1, y + ry) - source.y0 + 1;
    for (let x = coef.x0; x <= coef.x1; x++) {
      const left = Math.max(0, x - rx) - source.x0;
      const right = Math.min(gridWidth - 1, x + rx) - source.x0 + 1;
      const inv = 1 / ((bottom - top) * (right - left));
      const a0 = top * stride + left * STATS;
      const a1 = top * stride + right * STATS;
      const b0 = bottom * stride + left * STATS;
      const b1 = bottom * stride + right * STATS;
      const mr = (stats[b1] - stats[a1] - stats[b0] + stats[a0]) * inv;
      const mg = (stats[b1 + 1] - stats[a1 + 1] - stats[b0 + 1] + stats[a0 + 1]) * inv;
      const mb = (stats[b1 + 2] - stats[a1 + 2] - stats[b0 + 2] + stats[a0 + 2]) * inv;
      const mp = (stats[b1 + 3] - stats[a1 + 3] - stats[b0 + 3] + stats[a0 + 3]) * inv;
      // Covariance of the guide (+ ε on the diagonal) and of the guide with the input.
      const srr = (stats[b1 + 4] - stats[a1 + 4] - stats[b0 + 4] + stats[a0 + 4]) * inv - mr * mr + epsilon;
      const srg = (stats[b1 + 5] - stats[a1 + 5] - stats[b0 + 5] + stats[a0 + 5]) * inv - mr * mg;
      const srb = (stats[b1 + 6] - stats[a1 + 6] - stats[b0 + 6] + stats[a0 + 6]) * inv - mr * mb;
      const sgg = (stats[b1 + 7] - stats[a1 + 7] - stats[b0 + 7] + stats[a0 + 7]) * inv - mg * mg + epsilon;
      const sgb = (stats[b1 + 8] - stats[a1 + 8] - stats[b0 + 8] + stats[a0 + 8]) * inv - mg * mb;
      const sbb = (stats[b1 + 9] - stats[a1 + 9] - stats[b0 + 9] + stats[a0 + 9]) * inv - mb * mb + epsilon;
      const cr = (stats[b1 + 10] - stats[a1 + 10] - stats[b0 + 10] + stats[a0 + 10]) * inv - mr * mp;
      const cg = (stats[b1 + 11] - stats[a1 + 11] - stats[b0 + 11] + stats[a0 + 11]) * inv - mg * mp;
      const cb = (stats[b1 + 12] - stats[a1 + 12] - stats[b0 + 12] + stats[a0 + 12]) * inv - mb * mp;
      const vp = (stats[b1 + 13] - stats[a1 + 13] - stats[b0 + 13] + stats[a0 + 13]) * inv - mp * mp;
      // Symmetric 3x3 inverse by cofactors; ε > 0 keeps it positive definite.
      const i00 = sgg * sbb - sgb * sgb;
      const i01 = srb * sgb - srg * sbb;
      const i02 = srg * sgb - srb * sgg;
      const i11 = srr * sbb - srb * srb;
      const i12 = srb * srg - srr * sgb;
      const i22 = srr * sgg - srg * srg;
      const det = 1 / (srr * i00 + srg * i01 + srb * i02);
      const ar = (i00 * cr + i01 * cg + i02 * cb) * det;
      const ag = (i01 * cr + i11 * cg + i12 * cb) * det;
      const ab = (i02 * cr + i12 * cg + i22 * cb) * det;
      // A window where p is (nearly) constant has no edge to explain: weight 0.
      const explained = vp > 1e-6 ? (ar * cr + ag * cg + ab * cb) / vp : 0;
      const w = explained < 0 ? 0 : explained > 1 ? 1 : explained;
      const at = ((y - coef.y0) * cw + (x - coef.x0)) * COEFFICIENTS;
      out[at] = w * ar;
      out[at + 1] = w * ag;
      out[at + 2] = w * ab;
      out[at + 3] = w * (mp - ar * mr - ag * mg - ab * mb);
      out[at + 4] = w;
    }
  }
}

/** The mean of the (weighted) coefficients of every window covering a pixel (clipped at the grid). */
function averageCoefficients(
  coefficients: Float64Array,
  sums: Float64Array,
  coef: WorkRect,
  out: WorkRect,
  gridWidth: number,
  gridHeight: number,
  rx: number,
  ry: number,
  output: Float64Array,
) {
  const cw = coef.x1 - coef.x0 + 1;
  const ch = coef.y1 - coef.y0 + 1;
  const stride = (cw + 1) * COEFFICIENTS;
  sums.fill(0, 0, stride);
  for (let y = 0; y < ch; y++) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    const up = y * stride;
    const here = up + stride;
    sums[here] = sums[here + 1] = sums[here + 2] = sums[here + 3] = sums[here + 4] = 0;
    for (let x = 0; x < cw; x++) {
      const i = (y * cw + x) * COEFFICIENTS;
      s0 += coefficients[i];
      s1 += coefficients[i + 1];
      s2 += coefficients[i + 2];
      s3 += coefficients[i + 3];
      s4 += coefficients[i + 4];
      const at = here + (x + 1) * COEFFICIENTS;
      const above = up + (x + 1) * COEFFICIENTS;
      sums[at] = sums[above] + s0;
      sums[at + 1] = sums[above + 1] + s1;
      sums[at + 2] = sums[above + 2] + s2;
      sums[at + 3] = sums[above + 3] + s3;
      sums[at + 4] = sums[above + 4] + s4;
    }
  }
  const ow = out.x1 - out.x0 + 1;
  for (let y = out.y0; y <= out.y1; y++) {
    const top = Math.max(0, y - ry) - coef.y0;
    const bottom = Math.min(gridHeight - 1, y + ry) - coef.y0 + 1;
    for (let x = out.x0; x <= out.x1; x++) {
      const left = Math.max(0, x - rx) - coef.x0;
      const right = Math.min(gridWidth - 1, x + rx) - coef.x0 + 1;
      const inv = 1 / ((bottom - top) * (right - left));
      const a0 = top * stride + left * COEFFICIENTS;
      const a1 = top * stride + right * COEFFICIENTS;
      const b0 = bottom * stride + left * COEFFICIENTS;
      const b1 = bottom * stride + right * COEFFICIENTS;
      const at = ((y - out.y0) * ow + (x - out.x0)) * COEFFICIENTS;
      for (let c = 0; c < COEFFICIENTS; c++) output[at + c] = (sums[b1 + c] - sums[a1 + c] - sums[b0 + c] + sums[a0 + c]) * inv;
    }
  }
}

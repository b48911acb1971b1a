/**
 * A mask's per-pixel scores at natural size, for the outputs that need more than inside/outside:
 * the labels map (where objects overlap, the pixel goes to the highest score — SAM 2's
 * non-overlapping rule) and the soft cut-out alpha. With `edges="model"` the score is the model's
 * upsampled logit; with `edges="image"` the band's pixels carry the refinement's scores
 * (refined-edges.ts), so every output agrees with the refined mask: score > threshold ⇔ inside.
 */
import type { RefinedEdges } from './refined-edges.js';
import type { BBox, BinaryMask } from './types.js';
import { UpsampledRows } from './upsample.js';

/** The logits a mask was thresholded from (after any clean-up), and its refinement if any. */
export interface MaskScoreSource {
  /** low-res logits of the chosen candidate, srcWidth × srcHeight */
  logits: Float32Array;
  srcWidth: number;
  srcHeight: number;
  threshold: number;
  /** the band of an `edges="image"` mask, null for `edges="model"` */
  edges: RefinedEdges | null;
}

/** Scores row by row (float64; the array is reused by the next call), cheapest in increasing y. */
export class MaskScoreRows {
  private readonly rows: UpsampledRows;

  constructor(
    private readonly source: MaskScoreSource,
    width: number,
    height: number,
  ) {
    this.rows = new UpsampledRows(source.logits, source.srcWidth, source.srcHeight, width, height);
  }

  row(y: number): Float64Array {
    const row = this.rows.row(y);
    this.source.edges?.overlayRow(y, row);
    return row;
  }
}

/**
 * Soft alpha (0..255) of a rect for an anti-aliased cut-out: 255·σ(score − threshold) with the
 * model's logits, the refinement's q inside the band with `edges="image"` (outside the band that
 * mask is exactly the model's, and so is its hard edge). Either way a pixel is ≥ 128 exactly when
 * `mask` has it, so the soft cut-out thresholded at ½ is the hard one.
 */
export function softCutoutAlpha(mask: BinaryMask, rect: BBox, source: MaskScoreSource): Uint8ClampedArray {
  if (source.edges) return source.edges.alpha(mask, rect);
  const rows = new UpsampledRows(source.logits, source.srcWidth, source.srcHeight, mask.width, mask.height);
  const alpha = new Uint8ClampedArray(rect.width * rect.height);
  const t = source.threshold;
  for (let y = 0; y < rect.height; y++) {
    const row = rows.row(rect.y + y);
    for (let x = 0; x < rect.width; x++) {
      const score = row[rect.x + x];
      // Far from the edge σ is 0 or 1 to the byte: skip the exp.
      if (score > t + 12) alpha[y * rect.width + x] = 255;
      else if (score < t - 12) alpha[y * rect.width + x] = 0;
      else {
        // The side comes from the score itself (σ of a hair above t may round to exactly ½).
        const value = Math.ceil(255 / (1 + Math.exp(t - score)) - 0.5);
        alpha[y * rect.width + x] = score > t ? Math.max(128, value) : Math.min(127, value);
      }
    }
  }
  return alpha;
}

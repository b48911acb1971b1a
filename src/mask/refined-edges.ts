/**
 * What an image-guided refinement leaves behind besides the binary mask: the guided filter's
 * output q (the refined probability, in (0, 1)) of every pixel of the band, stored per tile of
 * low-res quads (NaN where a tile's pixel is outside the band). Inside ⇔ q > ½.
 *
 * Scores are logits, `threshold + ln(q / (1 − q))`: where the image gives no evidence q is the
 * model's σ(logit − threshold) smoothed, so the score is close to the model's logit, and inside ⇔
 * score > threshold exactly as for the model's mask. Outside the band the score IS the model's
 * upsampled logit, so a consumer that needs scores (the labels map: "the highest logit wins")
 * fills a row with the model's logits and lets `overlayRow` replace the band's pixels; the soft
 * cut-out alpha is 255·q.
 */
import type { BBox, BinaryMask } from './types.js';
import type { QuadAxis } from './refine-band.js';

/** One tile of the band: natural-size rect and its q values (row-major, NaN = not band). */
export interface RefinedTile {
  x: number;
  y: number;
  width: number;
  height: number;
  q: Float32Array;
}

export class RefinedEdges {
  /** tile index per (tile row, tile column), −1 when the tile holds no band pixel */
  private readonly grid: Int32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly threshold: number,
    readonly tiles: readonly RefinedTile[],
    /** quads per tile side, and the quad maps of both axes (which tile a pixel belongs to) */
    private readonly tileQuads: number,
    private readonly columns: QuadAxis,
    private readonly rows: QuadAxis,
    /** How many pixels the band holds, and how many of them the image moved to the other side. */
    readonly bandPixels: number,
    readonly changedPixels: number,
  ) {
    const across = this.tilesAcross;
    const down = Math.ceil((rows.start.length - 1) / tileQuads);
    this.grid = new Int32Array(across * down).fill(-1);
    tiles.forEach((tile, index) => {
      const tileRow = Math.floor(rows.quadOf[tile.y] / tileQuads);
      const tileColumn = Math.floor(columns.quadOf[tile.x] / tileQuads);
      this.grid[tileRow * across + tileColumn] = index;
    });
  }

  private get tilesAcross(): number {
    return Math.ceil((this.columns.start.length - 1) / this.tileQuads);
  }

  /** The tiles crossing natural row y, left to right (a tile's rect is its band's extent). */
  private *tilesOfRow(y: number): Iterable<RefinedTile> {
    const across = this.tilesAcross;
    const tileRow = Math.floor(this.rows.quadOf[y] / this.tileQuads);
    for (let column = 0; column < across; column++) {
      const index = this.grid[tileRow * across + column];
      if (index < 0) continue;
      const tile = this.tiles[index];
      if (y >= tile.y && y < tile.y + tile.height) yield tile;
    }
  }

  /**
   * Replaces, in `row` (the model's logits of natural row y, `width` values), the pixels of the
   * band with their refined scores. A Float64Array row keeps "score > threshold ⇔ inside" exact
   * for any threshold (a float32 row rounds scores a hair from a large threshold onto it).
   */
  overlayRow(y: number, row: Float64Array | Float32Array): void {
    if (y < 0 || y >= this.height) return;
    const t = this.threshold;
    for (const tile of this.tilesOfRow(y)) {
      const base = (y - tile.y) * tile.width;
      for (let x = 0; x < tile.width; x++) {
        const q = tile.q[base + x];
        if (q === q) row[tile.x + x] = t + Math.log(q / (1 - q));
      }
    }
  }

  /**
   * Soft alpha (0..255) of a natural-size rect for a cut-out: 0/255 from the mask outside the
   * band, 255·q inside it. A pixel is ≥ 128 exactly when the mask has it, so the soft cut-out
   * thresholded at ½ is the hard one.
   */
  alpha(mask: BinaryMask, rect: BBox): Uint8ClampedArray {
    const { width, height } = rect;
    const alpha = new Uint8ClampedArray(width * height);
    for (let y = 0; y < height; y++) {
      const src = (rect.y + y) * mask.width + rect.x;
      const dst = y * width;
      for (let x = 0; x < width; x++) alpha[dst + x] = mask.data[src + x] ? 255 : 0;
    }
    const right = rect.x + width;
    for (let y = rect.y; y < rect.y + height; y++) {
      for (const tile of this.tilesOfRow(y)) {
        const from = Math.max(tile.x, rect.x);
        const to = Math.min(tile.x + tile.width, right);
        const base = (y - tile.y) * tile.width - tile.x;
        const dst = (y - rect.y) * width - rect.x;
        for (let x = from; x < to; x++) {
          const q = tile.q[base + x];
          if (q === q) alpha[dst + x] = softAlpha(q);
        }
      }
    }
    return alpha;
  }
}

/**
 * 255·q, rounded so that exactly the inside values (q > ½) reach 128: ceil(v − ½) maps 127.5
 * (q = ½, outside) to 127 and anything above it to ≥ 128.
 */
export function softAlpha(q: number): number {
  const value = Math.ceil(255 * q - 0.5);
  return q > 0.5 ? Math.max(128, value) : Math.min(127, value);
}

/**
 * `edges="image"` in the worker: the natural-size mask of a chosen candidate, snapped to the
 * image's own edges inside a narrow band around the model's edge (src/mask/refine.ts), guided by
 * the image's pixels at natural size, read once per image from the bitmap the worker kept when it
 * prepared the encoder's input (no second decode; only an image whose embeddings came from the
 * memory cache was never decoded and is decoded here, once).
 */
import { LOW_RES_SIZE } from '../geometry/model-frame.js';
import { refineMaskWithImage, type GuideImage } from '../mask/refine.js';
import type { RefinedEdges } from '../mask/refined-edges.js';
import type { MaskScoreSource } from '../mask/scores.js';
import type { MaskEdges } from '../mask/types.js';
import { imageBitmap, type EncodedImage } from './images.js';
import { maskAt } from './mask-output.js';
import type { MaskPayload } from './protocol.js';

/** Natural-size RGBA of each held image, read on its first `edges="image"` mask (dropped with the image). */
const guides = new WeakMap<EncodedImage, Promise<GuideImage>>();

async function readGuide(image: EncodedImage): Promise<GuideImage> {
  const { bitmap, release } = await imageBitmap(image);
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(bitmap, 0, 0);
    const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    canvas.width = canvas.height = 0;
    return { data, width, height };
  } finally {
    release();
  }
}

/** The image's pixels at natural size, shared by every refinement of its objects. */
export function guidePixels(image: EncodedImage): Promise<GuideImage> {
  let guide = guides.get(image);
  if (!guide) {
    guide = readGuide(image);
    guides.set(image, guide);
    // A failed read is tried again by the next request, not remembered.
    guide.catch(() => guides.delete(image));
  }
  return guide;
}

/** A natural-size mask and, with `edges="image"`, the band's refined scores (null otherwise). */
export interface NaturalMask {
  mask: MaskPayload;
  edges: RefinedEdges | null;
}

/** The chosen candidate's (cleaned) logits as a natural-size mask, with the requested edges. */
export async function naturalMask(image: EncodedImage, logits: Float32Array, threshold: number, edges: MaskEdges | undefined): Promise<NaturalMask> {
  if (edges !== 'image') return { mask: maskAt(logits, image.width, image.height, threshold), edges: null };
  const guide = await guidePixels(image);
  const refined = refineMaskWithImage(logits, LOW_RES_SIZE, LOW_RES_SIZE, guide, { threshold });
  const { data, area, bbox } = refined;
  return {
    mask: { data, width: image.width, height: image.height, area, bbox: bbox ?? { x: 0, y: 0, width: 0, height: 0 } },
    edges: refined.edges,
  };
}

/** What an object's per-pixel scores are made of (labels' tie-break, the soft cut-out). */
export const scoreSource = (state: { chosenLogits: Float32Array; threshold: number; edges?: RefinedEdges | null }): MaskScoreSource => ({
  logits: state.chosenLogits,
  srcWidth: LOW_RES_SIZE,
  srcHeight: LOW_RES_SIZE,
  threshold: state.threshold,
  edges: state.edges ?? null,
});

/**
 * From a decoder candidate's 256x256 logits to the masks the page receives: SAM 2's optional
 * clean-up, then the upsampled, thresholded mask at natural or display size with its area and
 * bounding box measured while it is written.
 */
import { LOW_RES_SIZE } from '../geometry/model-frame.js';
import { cleanupLogits } from '../mask/cleanup.js';
import { upsampleLogitsToMaskWithStats } from '../mask/upsample.js';
import type { MaskCleanup, MaskPayload } from './protocol.js';

/** SAM 2's optional post-processing of the chosen candidate, on a copy (refinement needs the raw logits). */
export function cleanedLogits(logits: Float32Array, threshold: number, cleanup?: MaskCleanup): Float32Array {
  if (!cleanup || (cleanup.maxHoleArea <= 0 && cleanup.maxSprinkleArea <= 0)) return logits;
  // Official post-processing works on the low-res logits (areas in 256-grid cells).
  return cleanupLogits(logits.slice(), LOW_RES_SIZE, LOW_RES_SIZE, { ...cleanup, threshold });
}

export function renderMask(logits: Float32Array, width: number, height: number, threshold: number, cleanup?: MaskCleanup): MaskPayload {
  return maskAt(cleanedLogits(logits, threshold, cleanup), width, height, threshold);
}

/** The thresholded mask at a size, with its area and bounding box measured while it is written. */
export function maskAt(logits: Float32Array, width: number, height: number, threshold: number): MaskPayload {
  const { data, area, bbox } = upsampleLogitsToMaskWithStats(logits, LOW_RES_SIZE, LOW_RES_SIZE, width, height, threshold);
  return { data, width, height, bbox: bbox ?? { x: 0, y: 0, width: 0, height: 0 }, area };
}

/** A preview size worth computing: positive, and smaller than the image itself. */
export function usefulPreviewSize(preview: { width: number; height: number } | null | undefined, image: { width: number; height: number }) {
  if (!preview) return null;
  const width = Math.min(image.width, Math.max(1, Math.round(preview.width)));
  const height = Math.min(image.height, Math.max(1, Math.round(preview.height)));
  if (!Number.isFinite(width) || !Number.isFinite(height) || width * height >= image.width * image.height) return null;
  return { width, height };
}

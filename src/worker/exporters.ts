/**
 * Turning a mask into files, in the worker: a black/white mask image and a transparent cut-out
 * of the original image, optionally cropped to the mask and feathered. Runs off the main thread
 * because a 12 MP composite + PNG encode costs tens of milliseconds.
 */
import type { BinaryMask, BBox } from '../mask/types.js';
import { maskBoundingBox } from '../mask/stats.js';

export type ExportImageType = 'image/png' | 'image/webp';

export interface ExportOptions {
  type: ExportImageType;
  quality?: number;
  /** Crop to the mask's bounding box (grown by the feather radius). */
  crop: boolean;
  /** Feather radius in pixels: the cut-out's alpha ramps across the mask edge. 0 = hard edge. */
  feather: number;
}

function cropRect(mask: BinaryMask, options: ExportOptions): BBox {
  const full = { x: 0, y: 0, width: mask.width, height: mask.height };
  if (!options.crop) return full;
  const box = maskBoundingBox(mask);
  if (!box) return full;
  const grow = Math.ceil(options.feather);
  const x = Math.max(0, box.x - grow);
  const y = Math.max(0, box.y - grow);
  return {
    x,
    y,
    width: Math.min(mask.width, box.x + box.width + grow) - x,
    height: Math.min(mask.height, box.y + box.height + grow) - y,
  };
}

/** A rect's soft alpha (0..255, ≥ 128 exactly inside the mask): the cut-out's `soft` edge. */
export type SoftAlpha = (rect: BBox) => Uint8ClampedArray;

/** Mask alpha (0/255, or `soft`'s) for a rect, feathered with three box blurs (≈ Gaussian of radius r). */
function alphaFor(mask: BinaryMask, rect: BBox, feather: number, soft?: SoftAlpha): Uint8ClampedArray {
  const { width, height } = rect;
  const alpha = soft ? soft(rect) : new Uint8ClampedArray(width * height);
  for (let y = 0; y < height && !soft; y++) {
    const src = (rect.y + y) * mask.width + rect.x;
    const dst = y * width;
    for (let x = 0; x < width; x++) alpha[dst + x] = mask.data[src + x] ? 255 : 0;
  }
  const radius = Math.round(feather / 2);
  if (radius < 1) return alpha;
  const buffer = new Float32Array(width * height);
  for (let i = 0; i < alpha.length; i++) buffer[i] = alpha[i];
  const scratch = new Float32Array(Math.max(width, height));
  for (let pass = 0; pass < 3; pass++) {
    boxBlurLines(buffer, width, height, 1, width, radius, scratch);
    boxBlurLines(buffer, height, width, width, 1, radius, scratch);
  }
  for (let i = 0; i < alpha.length; i++) alpha[i] = buffer[i];
  return alpha;
}

/** Running-sum box blur along lines of `length` items `step` apart, lines `lineStep` apart. */
function boxBlurLines(data: Float32Array, length: number, lines: number, step: number, lineStep: number, radius: number, scratch: Float32Array) {
  const norm = 1 / (2 * radius + 1);
  for (let line = 0; line < lines; line++) {
    const base = line * lineStep;
    for (let i = 0; i < length; i++) scratch[i] = data[base + i * step];
    // Edges clamp (the image border is neither inside nor outside: extend the last value).
    let sum = scratch[0] * (radius + 1);
    for (let i = 1; i <= radius; i++) sum += scratch[Math.min(i, length - 1)];
    for (let i = 0; i < length; i++) {
      data[base + i * step] = sum * norm;
      sum += scratch[Math.min(i + radius + 1, length - 1)] - scratch[Math.max(i - radius, 0)];
    }
  }
}

function encode(pixels: ImageData, options: ExportOptions): Promise<Blob> {
  const canvas = new OffscreenCanvas(pixels.width, pixels.height);
  canvas.getContext('2d')!.putImageData(pixels, 0, 0);
  return canvas.convertToBlob({ type: options.type, quality: options.quality });
}

/** White (inside) on black (outside), opaque. */
export function maskImage(mask: BinaryMask, options: ExportOptions): Promise<Blob> {
  const rect = cropRect(mask, options);
  const alpha = alphaFor(mask, rect, options.feather);
  const pixels = new ImageData(rect.width, rect.height);
  const out = new Uint32Array(pixels.data.buffer);
  for (let i = 0; i < alpha.length; i++) {
    const v = alpha[i];
    out[i] = (0xff000000 | (v << 16) | (v << 8) | v) >>> 0;
  }
  return encode(pixels, options);
}

/**
 * The image with everything outside the mask transparent (alpha exactly 0 outside, 255 inside;
 * with `soft`, its alpha: anti-aliased across the edge, ≥ 128 exactly inside).
 */
export function cutoutImage(image: ImageBitmap, mask: BinaryMask, options: ExportOptions, soft?: SoftAlpha): Promise<Blob> {
  const rect = cropRect(mask, options);
  const canvas = new OffscreenCanvas(rect.width, rect.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(image, rect.x, rect.y, rect.width, rect.height, 0, 0, rect.width, rect.height);
  const pixels = ctx.getImageData(0, 0, rect.width, rect.height);
  const alpha = alphaFor(mask, rect, options.feather, soft);
  const data = pixels.data;
  for (let i = 0, p = 3; i < alpha.length; i++, p += 4) data[p] = alpha[i];
  return encode(pixels, options);
}

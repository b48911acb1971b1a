/**
 * Shared shapes for the pure mask module. Nothing here touches the DOM, lit or onnxruntime, so the
 * same code runs in the Web Worker (where masks are produced) and on the main thread (where they
 * are drawn and exported).
 */

/**
 * A binary mask, row-major: pixel (x, y) is `data[y * width + x]`.
 * Writers in this module always store 1 (inside) or 0 (outside); readers treat any non-zero byte as
 * inside, so a 0/255 mask coming from a canvas works too.
 */
export interface BinaryMask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An axis-aligned box in image pixels: (x, y) is the top-left pixel, width/height count pixels. */
export interface BBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What `toBlob({kind})` makes: a black/white mask, a cut-out of the image, or a label map of every object. */
export const EXPORT_KINDS = ['mask', 'cutout', 'labels'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The image formats exports are encoded in. */
export const EXPORT_IMAGE_TYPES = ['image/png', 'image/webp'] as const;
export type ExportImageType = (typeof EXPORT_IMAGE_TYPES)[number];

/**
 * How a mask's edge is placed at natural size: `model` (SAM 2's upsampled logits, exactly) or
 * `image` (snapped to the image's own edges inside a narrow band around the model's edge).
 */
export const MASK_EDGES = ['model', 'image'] as const;
export type MaskEdges = (typeof MASK_EDGES)[number];

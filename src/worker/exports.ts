/**
 * Export requests, by object handle: mask, cut-out and label-map image files, polygons, COCO RLE
 * and COCO annotations of the masks the worker keeps (objects.ts). Protocol v1 requests that
 * carry a mask from the page still work.
 */
import { Sam2Error } from '../errors.js';
import { labelMap } from '../mask/labels.js';
import { encodeGreyPng } from '../mask/png.js';
import { maskToPolygons } from '../mask/polygons.js';
import { cocoArea, cocoBbox, encodeCocoRle } from '../mask/rle.js';
import { MaskScoreRows, softCutoutAlpha } from '../mask/scores.js';
import type { Polygon } from '../mask/polygons.js';
import type { BinaryMask } from '../mask/types.js';
import { scoreSource } from './edges.js';
import { cutoutImage, maskImage, type SoftAlpha } from './exporters.js';
import { getImage, imageBitmap, requireImage } from './images.js';
import { requireObject, selectObjects } from './objects.js';
import type { CocoAnnotations, CocoAnnotationsRequest, CocoRleRequest, CocoRleResult, ExportImageRequest, PolygonsRequest } from './protocol.js';

/** The union of the selected objects' masks (one object: its own mask, not a copy). */
function selectedMask(request: ExportImageRequest): BinaryMask {
  const image = requireImage(request.imageKey);
  const selected = selectObjects(image.objects, request.objectId, request.objectIds);
  if (selected.length === 1) return selected[0][1].mask;
  const union = new Uint8Array(image.width * image.height);
  for (const [, { mask }] of selected) for (let i = 0; i < union.length; i++) union[i] |= mask.data[i];
  return { width: image.width, height: image.height, data: union };
}

async function labelsImage(request: ExportImageRequest): Promise<Blob> {
  if (request.format !== 'image/png') throw new Sam2Error('invalid-argument', 'A label map is a PNG (16-bit ids need it)');
  const image = requireImage(request.imageKey);
  const selected = selectObjects(image.objects, request.objectId ?? null, request.objectIds);
  const labels = labelMap(
    selected.map(([id, state]) => {
      // Refined edges: the band's pixels compare the refinement's scores (inside ⇔ score > threshold).
      const rows = state.edges ? new MaskScoreRows(scoreSource(state), image.width, image.height) : null;
      return { id, mask: state.mask, logits: state.chosenLogits, scoreRow: rows ? (y: number) => rows.row(y) : undefined };
    }),
    image.width,
    image.height,
  );
  return encodeGreyPng(labels.data, labels.width, labels.height, labels.bitDepth);
}

/**
 * The soft cut-out alpha of the selected objects (`soft: true`): each object's alpha from its
 * scores (the model's σ(logit), or the refinement's q with `edges="image"`), the highest where
 * several are selected; ≥ 128 exactly where the hard cut-out is opaque.
 */
function softAlphaOf(request: ExportImageRequest): SoftAlpha {
  const image = requireImage(request.imageKey);
  const selected = selectObjects(image.objects, request.objectId, request.objectIds);
  return (rect) => {
    let alpha: Uint8ClampedArray | null = null;
    for (const [, state] of selected) {
      const own = softCutoutAlpha(state.mask, rect, scoreSource(state));
      if (!alpha) alpha = own;
      else for (let i = 0; i < own.length; i++) if (own[i] > alpha[i]) alpha[i] = own[i];
    }
    return alpha!;
  };
}

export async function handleExportImage(request: ExportImageRequest): Promise<Blob> {
  if (request.kind === 'labels') return labelsImage(request);
  const mask = request.mask ?? selectedMask(request);
  if (mask.data.length !== mask.width * mask.height) throw new Sam2Error('invalid-argument', 'The mask data does not match its size');
  const options = { type: request.format, quality: request.quality, crop: request.crop, feather: request.feather };
  if (request.kind === 'mask') return maskImage(mask, options);
  const image = getImage(request.imageKey);
  if (!image) throw new Sam2Error('not-ready', 'The image is no longer held by the worker');
  const { bitmap, release } = await imageBitmap(image);
  try {
    if (bitmap.width !== mask.width || bitmap.height !== mask.height) {
      throw new Sam2Error('invalid-argument', `The mask is ${mask.width}x${mask.height}, the image ${bitmap.width}x${bitmap.height}`);
    }
    return await cutoutImage(bitmap, mask, options, request.soft && !request.mask ? softAlphaOf(request) : undefined);
  } finally {
    release();
  }
}

/** A v1 request's own mask, or the kept mask of the object it names. */
function maskOf(request: PolygonsRequest | CocoRleRequest): BinaryMask {
  if (request.mask) return request.mask;
  if (request.imageKey === undefined || request.objectId === undefined) throw new Sam2Error('invalid-argument', 'Name an object (imageKey and objectId)');
  return requireObject(requireImage(request.imageKey).objects, request.objectId).mask;
}

export function handlePolygons(request: PolygonsRequest): Polygon[] {
  return maskToPolygons(maskOf(request), { tolerance: request.tolerance });
}

function cocoRle(mask: BinaryMask): CocoRleResult {
  const rle = encodeCocoRle(mask);
  return { ...rle, area: cocoArea(rle), bbox: cocoBbox(mask) };
}

export function handleCocoRle(request: CocoRleRequest): CocoRleResult {
  return cocoRle(maskOf(request));
}

/** Every selected object's own mask (overlaps stay: COCO instances may overlap). */
export function handleCocoAnnotations(request: CocoAnnotationsRequest): CocoAnnotations {
  const image = requireImage(request.imageKey);
  const ids = request.objectIds ?? [...image.objects.keys()];
  const annotations = [...new Set(ids)]
    .sort((a, b) => a - b)
    .flatMap((id) => {
      const state = image.objects.get(id);
      if (!state || state.mask.area === 0) return [];
      const { size, counts, area, bbox } = cocoRle(state.mask);
      return [{ id, image_id: request.imageId, category_id: request.categoryId, iscrowd: 0 as const, segmentation: { size, counts }, area, bbox }];
    });
  return { annotations };
}

/**
 * Export requests: mask and cut-out image files, polygons and COCO RLE of a mask.
 */
import { Sam2Error } from '../errors.js';
import { maskToPolygons } from '../mask/polygons.js';
import { cocoArea, cocoBbox, encodeCocoRle } from '../mask/rle.js';
import type { Polygon } from '../mask/polygons.js';
import { cutoutImage, maskImage } from './exporters.js';
import { getImage } from './images.js';
import { decodeImage } from './preprocess.js';
import type { CocoRleRequest, CocoRleResult, ExportImageRequest, PolygonsRequest } from './protocol.js';

export async function handleExportImage(request: ExportImageRequest): Promise<Blob> {
  const image = getImage(request.imageKey);
  const { mask } = request;
  if (mask.data.length !== mask.width * mask.height) throw new Sam2Error('invalid-argument', 'The mask data does not match its size');
  const options = { type: request.format, quality: request.quality, crop: request.crop, feather: request.feather };
  if (request.kind === 'mask') return maskImage(mask, options);
  if (!image) throw new Sam2Error('not-ready', 'The image is no longer held by the worker');
  const bitmap = image.source.kind === 'bitmap' ? image.source.bitmap : await decodeImage(image.source);
  try {
    if (bitmap.width !== mask.width || bitmap.height !== mask.height) {
      throw new Sam2Error('invalid-argument', `The mask is ${mask.width}x${mask.height}, the image ${bitmap.width}x${bitmap.height}`);
    }
    return await cutoutImage(bitmap, mask, options);
  } finally {
    if (image.source.kind !== 'bitmap') bitmap.close();
  }
}

export function handlePolygons(request: PolygonsRequest): Polygon[] {
  return maskToPolygons(request.mask, { tolerance: request.tolerance });
}

export function handleCocoRle(request: CocoRleRequest): CocoRleResult {
  const rle = encodeCocoRle(request.mask);
  return { ...rle, area: cocoArea(rle), bbox: cocoBbox(request.mask) };
}

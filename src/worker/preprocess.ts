/**
 * Image → SAM 2 input tensor, in the worker: decode with EXIF orientation, squash to 1024x1024
 * (no crop, no letterbox), normalise with ImageNet mean/std into planar CHW float32.
 */
import { Sam2Error } from '../errors.js';
import { MODEL_SIZE } from '../geometry/model-frame.js';
import type { WorkerImageSource } from './protocol.js';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/**
 * Larger images are refused with `image-too-large` rather than crashing the tab: a decoded bitmap
 * costs 4 bytes a pixel and browsers cap canvas/bitmap areas near this size anyway.
 */
export const MAX_IMAGE_PIXELS = 16384 * 16384;

/**
 * @param label how errors name the image (defaults to its URL or kind): a URL fetched earlier
 *   and handed over as a Blob is still reported by its URL.
 */
export async function decodeImage(source: WorkerImageSource, signal?: AbortSignal, label = describe(source)): Promise<ImageBitmap> {
  const options: ImageBitmapOptions = { imageOrientation: 'from-image', premultiplyAlpha: 'none' };
  let bitmap: ImageBitmap;
  try {
    switch (source.kind) {
      case 'bitmap':
        bitmap = source.bitmap;
        break;
      case 'image-data':
        bitmap = await createImageBitmap(source.imageData);
        break;
      case 'blob':
        bitmap = await createImageBitmap(source.blob, options);
        break;
      case 'url':
        bitmap = await createImageBitmap(await fetchImage(source.url, signal), options);
        break;
    }
  } catch (cause) {
    if (cause instanceof Sam2Error || signal?.aborted) throw cause;
    if (source.kind === 'blob' && source.blob.type === 'image/svg+xml') {
      // The page rasterises SVGs it recognises (a .svg URL, an SVG Blob): svg-raster.ts.
      throw new Sam2Error('image-load-failed', `SVG images are drawn on the page, not in the worker: give the URL a .svg name or pass the SVG as a Blob (${label})`, { cause });
    }
    throw new Sam2Error('image-load-failed', `The image could not be decoded (${label})`, { cause });
  }
  if (bitmap.width === 0 || bitmap.height === 0) {
    throw new Sam2Error('image-load-failed', `The image is empty (${label})`);
  }
  if (bitmap.width * bitmap.height > MAX_IMAGE_PIXELS) {
    const { width, height } = bitmap;
    bitmap.close();
    throw new Sam2Error('image-too-large', `The image is ${width}x${height}; at most ${MAX_IMAGE_PIXELS} pixels are supported`);
  }
  return bitmap;
}

export async function fetchImage(url: string, signal?: AbortSignal): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(url, { signal, mode: 'cors', credentials: 'same-origin' });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    // A CORS-blocked image lands here too: the browser hides the reason from scripts.
    throw new Sam2Error(
      'image-load-failed',
      `Could not fetch the image ${url} (network error, or a cross-origin image served without CORS headers)`,
      { cause },
    );
  }
  if (!response.ok) throw new Sam2Error('image-load-failed', `The image ${url} answered HTTP ${response.status}`);
  return response.blob();
}

const describe = (source: WorkerImageSource) => (source.kind === 'url' ? source.url : source.kind);

let canvas: OffscreenCanvas | undefined;
let context: OffscreenCanvasRenderingContext2D | undefined;

/**
 * Squash-resizes to 1024x1024 on an OffscreenCanvas and normalises into a reused-free planar
 * Float32Array (ownership passes to the tensor). One RGBA 4 MB readback, one 12 MB float array.
 */
export function toModelInput(bitmap: ImageBitmap): Float32Array {
  canvas ??= new OffscreenCanvas(MODEL_SIZE, MODEL_SIZE);
  context ??= canvas.getContext('2d', { willReadFrequently: true, alpha: false }) ?? undefined;
  if (!context) throw new Sam2Error('encode-failed', 'OffscreenCanvas 2D is not available in this browser');
  context.imageSmoothingEnabled = true;
  // 'medium' is bilinear with mipmaps in Chromium: close to torchvision's antialiased bilinear
  // resize that SAM 2's transforms use, without the ringing of the 'high' (cubic) filter.
  context.imageSmoothingQuality = 'medium';
  // Opaque black under every image (an opaque canvas clears to it): a transparent pixel is black,
  // never the previous image's pixel (the canvas is reused). gpu-preprocess.ts does the same.
  context.clearRect(0, 0, MODEL_SIZE, MODEL_SIZE);
  context.drawImage(bitmap, 0, 0, MODEL_SIZE, MODEL_SIZE);
  const rgba = context.getImageData(0, 0, MODEL_SIZE, MODEL_SIZE).data;
  const plane = MODEL_SIZE * MODEL_SIZE;
  const out = new Float32Array(3 * plane);
  const scale = [1 / (255 * STD[0]), 1 / (255 * STD[1]), 1 / (255 * STD[2])];
  const offset = [MEAN[0] / STD[0], MEAN[1] / STD[1], MEAN[2] / STD[2]];
  for (let i = 0, p = 0; i < plane; i++, p += 4) {
    out[i] = rgba[p] * scale[0] - offset[0];
    out[plane + i] = rgba[p + 1] * scale[1] - offset[1];
    out[2 * plane + i] = rgba[p + 2] * scale[2] - offset[2];
  }
  return out;
}

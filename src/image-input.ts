/**
 * Everything the `image` property accepts, turned into (a) what the worker decodes and (b) what
 * the element displays. URLs and Blobs go to the worker as they are (it decodes them with EXIF
 * orientation); pixel sources become an ImageBitmap that is transferred, not copied. SVGs are
 * rasterised here, at their own size (svg-raster.ts): workers can't decode them.
 */
import { Sam2Error } from './errors.js';
import { SVG_TYPE, looksLikeSvgUrl, rasteriseSvgBlob, rasteriseSvgUrl } from './svg-raster.js';
import type { WorkerImageSource } from './worker/protocol.js';

export type ImageInput = string | Blob | ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageData;

export interface PreparedImage {
  source: WorkerImageSource;
  transfer: Transferable[];
  /** URL for the <img> (remote URL or object URL), or a bitmap to draw on the display canvas. */
  display: { url: string; revoke: boolean } | { bitmap: ImageBitmap };
}

export async function prepareImage(input: ImageInput, baseUrl: string): Promise<PreparedImage> {
  let bitmap: ImageBitmap;
  if (typeof input === 'string') {
    const url = new URL(input, baseUrl).href;
    if (!looksLikeSvgUrl(url)) return { source: { kind: 'url', url }, transfer: [], display: { url, revoke: false } };
    bitmap = await rasteriseSvgUrl(url);
    return fromBitmap(bitmap);
  }
  if (input instanceof Blob) {
    if (input.type === SVG_TYPE) return fromBitmap(await rasteriseSvgBlob(input));
    return { source: { kind: 'blob', blob: input }, transfer: [], display: { url: URL.createObjectURL(input), revoke: true } };
  }
  try {
    if (input instanceof HTMLImageElement) {
      await input.decode();
      bitmap = await createImageBitmap(input);
    } else if (input instanceof ImageData) {
      bitmap = await createImageBitmap(input);
    } else {
      bitmap = await createImageBitmap(input);
    }
  } catch (cause) {
    throw new Sam2Error('image-load-failed', 'The image could not be read (is it loaded, and same-origin or CORS-enabled?)', { cause });
  }
  return fromBitmap(bitmap);
}

async function fromBitmap(bitmap: ImageBitmap): Promise<PreparedImage> {
  // One bitmap is transferred to the worker; the element keeps a second for display.
  const display = await createImageBitmap(bitmap);
  return { source: { kind: 'bitmap', bitmap }, transfer: [bitmap], display: { bitmap: display } };
}

export function releaseDisplay(display: PreparedImage['display'] | null | undefined) {
  if (!display) return;
  if ('bitmap' in display) display.bitmap.close();
  else if (display.revoke) URL.revokeObjectURL(display.url);
}

/**
 * SVG images, rasterised on the page: a worker has no SVG decoder (`createImageBitmap` of an SVG
 * Blob fails in workers in every engine), so an SVG never reaches the worker as such. It becomes
 * a bitmap at its own size: its `width`/`height` in CSS pixels when it has them, else its
 * `viewBox` scaled so that the longer side is {@link SVG_DEFAULT_SIZE} px. An SVG with neither
 * (or percentages only) has no size to rasterise at and is refused (`image-load-failed`); one
 * over the worker's limit (16384² pixels in area) is refused as `image-too-large` before any
 * pixel is drawn.
 */
import { Sam2Error } from './errors.js';

/** Longer side, in pixels, of an SVG that has a viewBox but no width/height. */
export const SVG_DEFAULT_SIZE = 1024;
/** The worker decoder's limit (preprocess.ts MAX_IMAGE_PIXELS): an area of 16384² pixels. */
const MAX_PIXELS = 16384 * 16384;
/** Canvases are refused beyond this side in Chromium, Firefox and WebKit. */
const MAX_CANVAS_SIDE = 32767;

export const SVG_TYPE = 'image/svg+xml';

/** A URL that names an SVG by its form (the worker can't tell it later: it has no SVG decoder). */
export function looksLikeSvgUrl(url: string): boolean {
  if (/^data:image\/svg\+xml[;,]/i.test(url)) return true;
  try {
    return /\.svgz?$/i.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** Fetches an SVG URL (same-origin or CORS, like the worker's fetch) and rasterises it. */
export async function rasteriseSvgUrl(url: string): Promise<ImageBitmap> {
  let response: Response;
  try {
    response = await fetch(url, { mode: 'cors', credentials: 'same-origin' });
  } catch (cause) {
    throw new Sam2Error('image-load-failed', `Could not fetch the image ${url} (network error, or a cross-origin image served without CORS headers)`, { cause });
  }
  if (!response.ok) throw new Sam2Error('image-load-failed', `The image ${url} answered HTTP ${response.status}`);
  return rasteriseSvg(await response.text(), url);
}

export async function rasteriseSvgBlob(blob: Blob): Promise<ImageBitmap> {
  return rasteriseSvg(await blob.text(), 'SVG blob');
}

async function rasteriseSvg(text: string, label: string): Promise<ImageBitmap> {
  const doc = new DOMParser().parseFromString(text, SVG_TYPE);
  const svg = doc.documentElement;
  if (doc.getElementsByTagName('parsererror').length || svg.localName !== 'svg') {
    throw new Sam2Error('image-load-failed', `The image is not a valid SVG (${label})`);
  }
  const { width, height } = svgSize(svg, label);
  if (width * height > MAX_PIXELS || width > MAX_CANVAS_SIDE || height > MAX_CANVAS_SIDE) {
    throw new Sam2Error('image-too-large', `The SVG is ${width}x${height}; at most ${MAX_PIXELS} pixels (and ${MAX_CANVAS_SIDE} a side) are supported`);
  }
  // An explicit size on the root: engines can't draw an SVG without one onto a canvas.
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(doc)], { type: SVG_TYPE }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.drawImage(image, 0, 0, width, height);
    return await createImageBitmap(canvas);
  } catch (cause) {
    if (cause instanceof Sam2Error) throw cause;
    throw new Sam2Error('image-load-failed', `The SVG could not be drawn (${label})`, { cause });
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** CSS pixels of a length attribute: plain numbers and `px` only (no %, em: no fixed size). */
function pixels(value: string | null): number | null {
  const match = value && /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(px)?\s*$/i.exec(value);
  const n = match ? Number(match[1]) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

function svgSize(svg: Element, label: string): { width: number; height: number } {
  const box = (svg.getAttribute('viewBox') ?? '').trim().split(/[\s,]+/).map(Number);
  const ratio = box.length === 4 && box[2] > 0 && box[3] > 0 ? box[2] / box[3] : null;
  let width = pixels(svg.getAttribute('width'));
  let height = pixels(svg.getAttribute('height'));
  if (width === null && height !== null && ratio) width = height * ratio;
  if (height === null && width !== null && ratio) height = width / ratio;
  if ((width === null || height === null) && ratio) {
    [width, height] = ratio >= 1 ? [SVG_DEFAULT_SIZE, SVG_DEFAULT_SIZE / ratio] : [SVG_DEFAULT_SIZE * ratio, SVG_DEFAULT_SIZE];
  }
  if (width === null || height === null) {
    throw new Sam2Error('image-load-failed', `The SVG has no size: give it width and height, or a viewBox (${label})`);
  }
  return { width: Math.max(1, Math.round(width)), height: Math.max(1, Math.round(height)) };
}

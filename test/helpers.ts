/**
 * Shared test helpers: generated images with analytic ground truth, event waiting, IoU.
 * The fixture models (test/fixtures/build-fixtures.mjs) segment by colour similarity, so the
 * expected mask of a click is "the pixels of the object's colour" — known exactly here.
 */
import type { Sam2Segmenter } from '../src/sam2-segmenter.js';
import type { BinaryMask } from '../src/mask/types.js';

export const FIXTURES = new URL('/test/fixtures/generated/', location.origin).href;
export const COLOUR_MODEL = `${FIXTURES}colour.manifest.json`;
export const REFINE_MODEL = `${FIXTURES}refine.manifest.json`;

export const GREY = [128, 128, 128] as const;
export const RED = [255, 0, 0] as const;
// RGB distance to RED 0.195: inside the middle candidate's colour radius (0.35), outside the strict one (0.15).
export const RED_TWIN = [220, 25, 25] as const;
export const BLUE = [0, 0, 255] as const;
export const GREEN = [0, 255, 0] as const;

export interface Shape {
  kind: 'ellipse' | 'rect';
  /** Fractions of the image size, so one scene works at every resolution. */
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  colour: readonly [number, number, number];
}

/** A scene: grey background, a big red ellipse, a red twin rectangle, a blue rectangle. */
export const SCENE: Shape[] = [
  { kind: 'ellipse', cx: 0.32, cy: 0.42, rx: 0.2, ry: 0.25, colour: RED },
  { kind: 'rect', cx: 0.75, cy: 0.3, rx: 0.12, ry: 0.15, colour: RED_TWIN },
  { kind: 'rect', cx: 0.72, cy: 0.75, rx: 0.14, ry: 0.14, colour: BLUE },
];

export function insideShape(shape: Shape, x: number, y: number, width: number, height: number): boolean {
  const dx = (x - shape.cx * width) / (shape.rx * width);
  const dy = (y - shape.cy * height) / (shape.ry * height);
  return shape.kind === 'ellipse' ? dx * dx + dy * dy <= 1 : Math.abs(dx) <= 1 && Math.abs(dy) <= 1;
}

/** Draws the scene exactly: every pixel whose centre is inside a shape gets its colour. */
export function drawScene(width: number, height: number, shapes: Shape[] = SCENE): ImageData {
  const image = new ImageData(width, height);
  const data = image.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let colour: readonly number[] = GREY;
      for (const shape of shapes) if (insideShape(shape, x + 0.5, y + 0.5, width, height)) colour = shape.colour;
      const i = 4 * (y * width + x);
      data[i] = colour[0];
      data[i + 1] = colour[1];
      data[i + 2] = colour[2];
      data[i + 3] = 255;
    }
  }
  return image;
}

export function groundTruth(width: number, height: number, shapes: Shape[]): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (shapes.some((s) => insideShape(s, x + 0.5, y + 0.5, width, height))) data[y * width + x] = 1;
    }
  }
  return { width, height, data };
}

export async function sceneBlob(width: number, height: number, shapes: Shape[] = SCENE, type = 'image/png'): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.putImageData(drawScene(width, height, shapes), 0, 0);
  return canvas.convertToBlob({ type, quality: 0.95 });
}

export async function sceneUrl(width: number, height: number, shapes: Shape[] = SCENE): Promise<string> {
  return URL.createObjectURL(await sceneBlob(width, height, shapes));
}

export function iou(a: BinaryMask, b: BinaryMask): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`size mismatch ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const p = a.data[i];
    const q = b.data[i];
    if (p && q) inter++;
    if (p || q) union++;
  }
  return union === 0 ? 1 : inter / union;
}

export function maskAt(mask: BinaryMask, x: number, y: number): number {
  return mask.data[Math.floor(y) * mask.width + Math.floor(x)];
}

/**
 * Resolves with the next event of that type. Rejects on an `error` event (unless that is the
 * awaited type, or `allowErrors` is set) so a failing load doesn't look like a timeout.
 */
export function nextEvent<T = unknown>(
  target: EventTarget,
  type: string,
  { timeout = 60000, allowErrors = false }: { timeout?: number; allowErrors?: boolean } = {},
): Promise<CustomEvent<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${type}`));
    }, timeout);
    const onEvent = (event: Event) => {
      cleanup();
      resolve(event as CustomEvent<T>);
    };
    const onError = (event: Event) => {
      cleanup();
      reject(new Error(`error event while waiting for ${type}: ${JSON.stringify((event as CustomEvent).detail)}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      target.removeEventListener(type, onEvent);
      if (type !== 'error' && !allowErrors) target.removeEventListener('error', onError);
    };
    target.addEventListener(type, onEvent);
    if (type !== 'error' && !allowErrors) target.addEventListener('error', onError);
  });
}

/** Collects every event of the given types until stopped. */
export function recordEvents(target: EventTarget, types: string[]) {
  const events: CustomEvent[] = [];
  const listener = (event: Event) => events.push(event as CustomEvent);
  for (const type of types) target.addEventListener(type, listener);
  return {
    events,
    of: (type: string) => events.filter((e) => e.type === type),
    stop: () => types.forEach((type) => target.removeEventListener(type, listener)),
  };
}

/** Creates an eager element with the colour model, optionally sized, appended to the body. */
export function createSegmenter(options: { model?: string; style?: string; src?: string } = {}): Sam2Segmenter {
  const element = document.createElement('sam2-segmenter');
  element.loading = 'eager';
  element.model = options.model ?? COLOUR_MODEL;
  if (options.style) element.setAttribute('style', options.style);
  if (options.src) element.src = options.src;
  document.body.append(element);
  return element;
}

export async function requestCounts(): Promise<Record<string, number>> {
  return (await fetch('/__requests')).json();
}
export async function resetRequestCounts(): Promise<void> {
  await fetch('/__requests', { method: 'DELETE' });
}

export const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

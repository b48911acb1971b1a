/**
 * The one mapping between natural image pixels and a place the image is shown: client
 * coordinates (pointer input, hit tests) or the overlay canvas's CSS pixels (painting). Both are
 * the same view shifted by the frame's position, so they can never disagree.
 */
import { containRect, type Rect } from './fit.js';
import type { Point } from './model-frame.js';

/** The image as shown: its natural size and the rect it covers, in some coordinate space. */
export interface ImageView {
  rect: Rect;
  width: number;
  height: number;
}

/** A W×H image fitted (object-fit: contain, centred) into `box`, in the box's coordinate space. */
export function fitImage(box: Rect, width: number, height: number): ImageView {
  const rect = containRect(box, width, height);
  return { rect: { ...rect, x: rect.x + box.x, y: rect.y + box.y }, width, height };
}

/** The same view in a space shifted by (dx, dy), e.g. frame-relative → client coordinates. */
export function shiftView(view: ImageView, dx: number, dy: number): ImageView {
  return { ...view, rect: { ...view.rect, x: view.rect.x + dx, y: view.rect.y + dy } };
}

/**
 * A point of the view's space → natural image pixels: null outside the image, or (`clamp`) the
 * nearest point inside it. The far edges map inside the image, never to x = width.
 */
export function toImage(view: ImageView, x: number, y: number, clamp = false): Point | null {
  return clientToImage(x, y, view.rect, view.width, view.height, clamp);
}

/** Natural image pixels → the view's space. */
export function fromImage(view: ImageView, x: number, y: number): Point {
  return imageToClient(x, y, view.rect, view.width, view.height);
}

/** Index of the point nearest to (x, y) of the view's space within `radius`, or -1. */
export function pointNear(view: ImageView, points: readonly Point[], x: number, y: number, radius: number): number {
  let best = -1;
  let bestDistance = radius;
  points.forEach((point, i) => {
    const p = fromImage(view, point.x, point.y);
    const distance = Math.hypot(x - p.x, y - p.y);
    if (distance <= bestDistance) {
      best = i;
      bestDistance = distance;
    }
  });
  return best;
}

/** Client coordinates → natural image pixels (`content`: the displayed image rect, client px). */
export function clientToImage(
  clientX: number,
  clientY: number,
  content: Rect,
  imageWidth: number,
  imageHeight: number,
  clamp = false,
): Point | null {
  if (content.width <= 0 || content.height <= 0) return null;
  let x = ((clientX - content.x) / content.width) * imageWidth;
  let y = ((clientY - content.y) / content.height) * imageHeight;
  if (!clamp && (x < 0 || y < 0 || x > imageWidth || y > imageHeight)) return null;
  x = Math.max(0, x);
  y = Math.max(0, y);
  return { x: Math.min(x, imageWidth - 1e-6), y: Math.min(y, imageHeight - 1e-6) };
}

/** Natural image pixels → client coordinates. */
export function imageToClient(x: number, y: number, content: Rect, imageWidth: number, imageHeight: number): Point {
  return {
    x: content.x + (x / imageWidth) * content.width,
    y: content.y + (y / imageHeight) * content.height,
  };
}

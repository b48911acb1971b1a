/**
 * object-fit: contain math between the element's content box (CSS px) and the natural image.
 * Pure, so it is unit-tested with golden numbers; the element feeds it getBoundingClientRect().
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a W×H image lands inside a box with `object-fit: contain` and centred position. */
export function containRect(box: { width: number; height: number }, imageWidth: number, imageHeight: number): Rect {
  if (imageWidth <= 0 || imageHeight <= 0 || box.width <= 0 || box.height <= 0) {
    return { x: 0, y: 0, width: 0, height: 0 };
  }
  const scale = Math.min(box.width / imageWidth, box.height / imageHeight);
  const width = imageWidth * scale;
  const height = imageHeight * scale;
  return { x: (box.width - width) / 2, y: (box.height - height) / 2, width, height };
}

/**
 * Client (viewport) coordinates → natural image pixels, or null when outside the image.
 * `content` is the displayed image rect in client coordinates.
 */
export function clientToImage(
  clientX: number,
  clientY: number,
  content: Rect,
  imageWidth: number,
  imageHeight: number,
): { x: number; y: number } | null {
  if (content.width <= 0 || content.height <= 0) return null;
  const x = ((clientX - content.x) / content.width) * imageWidth;
  const y = ((clientY - content.y) / content.height) * imageHeight;
  if (x < 0 || y < 0 || x > imageWidth || y > imageHeight) return null;
  return { x: Math.min(x, imageWidth - 1e-6), y: Math.min(y, imageHeight - 1e-6) };
}

/** Natural image pixels → client coordinates (for drawing prompts and hit-testing). */
export function imageToClient(x: number, y: number, content: Rect, imageWidth: number, imageHeight: number) {
  return {
    x: content.x + (x / imageWidth) * content.width,
    y: content.y + (y / imageHeight) * content.height,
  };
}

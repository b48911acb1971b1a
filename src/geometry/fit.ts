/**
 * object-fit: contain math between the element's content box (CSS px) and the natural image.
 * Pure, so it is unit-tested with golden numbers. Mapping points through it: view.ts.
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

/**
 * The one place where image pixels become SAM 2 model-frame coordinates.
 *
 * SAM 2 squashes every image to 1024x1024 (no crop, no letterbox), so the transform is a
 * per-axis scale: image (x, y) of a W×H image → (x·1024/W, y·1024/H). The exported decoder adds
 * the +0.5 pixel-centre offset itself, so nothing is added here.
 */
export const MODEL_SIZE = 1024;
/** The decoder's low-resolution mask grid (covers the whole 1024 frame). */
export const LOW_RES_SIZE = 256;

export interface Point {
  x: number;
  y: number;
}

export function imageToModel(point: Point, width: number, height: number): Point {
  return { x: (point.x * MODEL_SIZE) / width, y: (point.y * MODEL_SIZE) / height };
}

export function modelToImage(point: Point, width: number, height: number): Point {
  return { x: (point.x * width) / MODEL_SIZE, y: (point.y * height) / MODEL_SIZE };
}

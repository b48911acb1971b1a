/**
 * Pure mask utilities (no DOM, no lit, no onnxruntime): usable in the worker and on the main thread.
 */
export type { BBox, BinaryMask } from './types.js';
export { upsampleLogitsTo, upsampleLogitsToMask, upsampleLogitsToMaskWithStats } from './upsample.js';
export type { UpsampledMask } from './upsample.js';
export { maskArea, maskBoundingBox } from './stats.js';
export { cleanupLogits, fillHoles, removeSprinkles } from './cleanup.js';
export type { CleanupOptions } from './cleanup.js';
export { cocoArea, cocoBbox, decodeCocoRle, encodeCocoRle } from './rle.js';
export type { CocoRle, CocoRleInput } from './rle.js';
export { traceRings } from './contours.js';
export type { TracedRing } from './contours.js';
export { ringSignedArea2, simplifyRing } from './simplify.js';
export { maskToPolygons } from './polygons.js';
export type { Polygon, PolygonOptions } from './polygons.js';
export { rasterizePolygons } from './raster.js';
export { DEFAULT_REFINE, refineMaskWithImage } from './refine.js';
export type { GuideImage, RefinedMask, RefineOptions } from './refine.js';
export { RefinedEdges, softAlpha } from './refined-edges.js';
export type { RefinedTile } from './refined-edges.js';
export { UpsampledRows } from './upsample.js';
export { MaskScoreRows, softCutoutAlpha } from './scores.js';
export type { MaskScoreSource } from './scores.js';

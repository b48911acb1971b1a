import './define.js';
export { Sam2Segmenter, SAM2_STATUSES, BACKENDS, LOADING_MODES, MASK_EDGES } from './sam2-segmenter.js';
export type { Sam2Status, LoadingMode, ToBlobOptions, CocoAnnotationsOptions, MaskEdges, Sam2Strings } from './sam2-segmenter.js';
export { DEFAULT_STRINGS } from './render/strings.js';
export { Sam2Error, SAM2_ERROR_CODES } from './errors.js';
export type { Sam2ErrorCode } from './errors.js';
export type {
  Backend,
  ErrorDetail,
  ImageEncodeDetail,
  ChangeSource,
  MaskChangeDetail,
  MaskResult,
  ModelLoadDetail,
  ModelLoadTimings,
  ObjectsChangeDetail,
  ProgressDetail,
  Sam2SegmenterEventMap,
  SegmentObjectInfo,
} from './events.js';
export type { Prompts, PromptPoint, PromptBox } from './geometry/prompts.js';
export type { ModelManifest, ManifestFile, ManifestPart, ModelContract, DownloadOptions, ExternalDataFile } from './model/manifest.js';
export type { CachedModel } from './model/model-cache.js';
export type { StorageFault } from './model/chunk-store.js';
export { MODEL_PRESETS } from './model/presets.js';
export { MODEL_PRECISIONS } from './model/precision.js';
export type { ModelPrecision, FilePrecision } from './model/precision.js';
export type { ModelPreset } from './model/presets.js';
export type { ImageInput } from './image-input.js';
export type { BinaryMask, BBox, ExportKind, ExportImageType } from './mask/types.js';
export { EXPORT_KINDS, EXPORT_IMAGE_TYPES } from './mask/types.js';
export type { Polygon } from './mask/polygons.js';
export type { CocoRleResult, CocoAnnotation, CocoAnnotations } from './worker/protocol.js';
// The pure mask utilities, for pages that post-process masks themselves.
export { decodeCocoRle, encodeCocoRle, maskToPolygons, rasterizePolygons, maskArea, maskBoundingBox } from './mask/index.js';
export type { BackendPreference } from './worker/protocol.js';
export type { Sam2SegmenterProperties, Sam2SegmenterAttributes, Sam2SegmenterEventHandlers } from './framework-types.js';

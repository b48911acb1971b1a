import type { FilePrecision } from './model/precision.js';
import type { Sam2ErrorCode } from './errors.js';
import type { Prompts } from './geometry/prompts.js';
import type { BinaryMask, BBox } from './mask/types.js';

export type { Backend } from './backends.js';
import type { Backend } from './backends.js';

/** Who caused a change: the visitor (pointer, touch, keyboard) or the page (a method or property). */
export type ChangeSource = 'user' | 'api';

/**
 * Progress of the current job: a model load (download, then compile; a load from the cache too)
 * or one image's encode. A new `model` or image starts a new job.
 */
export interface ProgressDetail {
  phase: 'download' | 'compile' | 'encode';
  /** Bytes for `download`; steps for the other phases. */
  loaded: number;
  total: number;
  /** 0..1, the whole job: never decreases within it, and the job's last event says 1. */
  fraction: number;
  /** 0..1 within `phase`. */
  phaseFraction: number;
}

export interface ModelLoadDetail {
  model: string;
  source: 'network' | 'cache';
  backend: Backend;
  /** WASM threads actually in use (1 unless the page is cross-origin isolated). */
  threads: number;
  /** What the encoder files are: the `precision` asked for, what `auto` picked, or the fp32 fallback. */
  precision: FilePrecision;
  /** The decoder's (it may differ: `auto` keeps an fp32 decoder on WebGPU). */
  decoderPrecision: FilePrecision;
  /** Bytes of every model file (graphs and weights), from the network or the cache. */
  bytes: number;
}

export interface ImageEncodeDetail {
  width: number;
  height: number;
  /** Wall time of the encode: decoding, resizing, normalising and the encoder. */
  ms: number;
  /** Breakdown in the worker (ms): image decode, resize + normalise, encoder run (0s when cached). */
  timings?: { decode: number; preprocess: number; encoder: number };
}

export interface MaskResult {
  /** Natural-size binary mask; null after clear(). */
  mask: BinaryMask | null;
  /** Predicted IoU of the chosen candidate. */
  score: number;
  /** Predicted IoU of every candidate. */
  scores: number[];
  /** Index of the chosen candidate in `scores`. */
  maskIndex: number;
  /** Tight bounding box of the mask in natural-image pixels (zero-size when empty). */
  bbox: BBox;
  /** Number of mask pixels. */
  area: number;
  prompts: Prompts;
}

export interface MaskChangeDetail extends MaskResult {
  /** The object whose mask changed (1 unless objects were added). */
  objectId: number;
  source: ChangeSource;
}

/** One object of the image, as `objects` and `objects-change` list it. */
export interface SegmentObjectInfo {
  id: number;
  prompts: Prompts;
  /** Natural-size mask, null while the object has none. */
  mask: BinaryMask | null;
  bbox: BBox;
  area: number;
  /** Predicted IoU of the chosen candidate (0 without a mask). */
  score: number;
}

export interface ObjectsChangeDetail {
  objects: SegmentObjectInfo[];
  activeObject: number;
}

export interface ErrorDetail {
  code: Sam2ErrorCode;
  message: string;
  recoverable: boolean;
}

export interface Sam2SegmenterEventMap {
  progress: CustomEvent<ProgressDetail>;
  'model-load': CustomEvent<ModelLoadDetail>;
  'image-encode': CustomEvent<ImageEncodeDetail>;
  'mask-change': CustomEvent<MaskChangeDetail>;
  'objects-change': CustomEvent<ObjectsChangeDetail>;
  error: CustomEvent<ErrorDetail>;
}

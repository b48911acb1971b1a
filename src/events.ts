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
  /** Where the load's time went in the worker (ms). */
  timings: ModelLoadTimings;
}

/**
 * A model load's phases, measured in the worker with `performance.now()`. The phases follow one
 * another, so `fetch + runtime + sessions <= total` and `encoderSession + decoderSession <=
 * sessions`; nothing is counted twice. onnxruntime starts (its .wasm compiled, threads started,
 * on WebGPU its device) while the files are fetched: only the wait for it after the fetch is
 * `runtime`. A load answered from this worker's memory (another element loaded or is loading the
 * same model; `source` is then `cache`) did none of the phases itself: they are 0 and `total` is
 * its wait. A precision fallback or a cached model downloaded again adds its phases to the same
 * fields.
 */
export interface ModelLoadTimings {
  /** Download, or read from the model cache, including the SHA-256 checks and the cache write. */
  fetch: number;
  /** Waiting for onnxruntime to start once the files were there (0 when it was up by then). */
  runtime: number;
  /** Creating the encoder and decoder sessions (incl. the decoder graph's rewrite, a few ms). */
  sessions: number;
  encoderSession: number;
  decoderSession: number;
  /** From the worker receiving the load to its answer (the rest: the WebGPU adapter check, the contract checks). */
  total: number;
}

export interface ImageEncodeDetail {
  width: number;
  height: number;
  /** Wall time of the encode: decoding, resizing, normalising and the encoder. */
  ms: number;
  /**
   * Breakdown in the worker (ms; 0s when answered from a cache): image `decode`, resize +
   * normalise (`preprocess`), and `encoder`: from the encoder run's start until its embeddings
   * are usable. On WebGPU that is until the GPU has finished the encoder's work, of which
   * `gpuWait` is the part after `run()` returned (waiting on `queue.onSubmittedWorkDone()`); the
   * embeddings' copy to the CPU (for the caches) happens after this event and is not in it.
   */
  timings?: { decode: number; preprocess: number; encoder: number; gpuWait?: number };
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

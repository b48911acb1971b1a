/**
 * Messages between the element side (client/worker-client.ts) and the worker. Types and constant
 * tables only: no DOM, no onnxruntime imports, so both sides can share it.
 */
import type { Sam2ErrorCode, SerializedSam2Error } from '../errors.js';
import type { Backend, ModelLoadTimings, ProgressDetail } from '../events.js';
import type { Prompts } from '../geometry/prompts.js';
import type { ResolvedManifest } from '../model/manifest.js';
import type { FilePrecision } from '../model/precision.js';
import type { CachedModel } from '../model/model-cache.js';
import type { StorageFault } from '../model/chunk-store.js';
import type { BBox, MaskEdges } from '../mask/types.js';
import type { Polygon } from '../mask/polygons.js';

import type { BackendPreference } from '../backends.js';

export type { BackendPreference };

/** Image sources the worker can decode. Bitmaps and ImageData are transferred, not copied. */
export type WorkerImageSource =
  | { kind: 'url'; url: string }
  | { kind: 'blob'; blob: Blob }
  | { kind: 'bitmap'; bitmap: ImageBitmap }
  | { kind: 'image-data'; imageData: ImageData };

export interface LoadModelRequest {
  type: 'load-model';
  manifest: ResolvedManifest;
  backend: BackendPreference;
  /**
   * The element asking: it uses this model (and no longer its previous one) until its
   * `release-owner`. A model no owner uses is let go. Without an owner the model is kept.
   */
  owner?: string;
}

/** The element went (or its model changed): it uses no model any more. */
export interface ReleaseOwnerRequest {
  type: 'release-owner';
  owner: string;
}
export interface LoadModelResult {
  source: 'network' | 'cache';
  backend: Backend;
  threads: number;
  /** What the encoder files are (a preset's `auto` resolved, or its fp32 fallback). */
  precision: FilePrecision;
  decoderPrecision: FilePrecision;
  /** Bytes of every model file (graphs and their external data), however they were obtained. */
  bytes: number;
  /** Where the load's time went in the worker (ms; see ModelLoadTimings). */
  timings: ModelLoadTimings;
}

export interface EncodeRequest {
  type: 'encode';
  modelKey: string;
  /** Names this image's embeddings inside the worker until released. */
  imageKey: string;
  source: WorkerImageSource;
  /** Where embeddings may be kept for a revisit (see the element's `embedding-cache`). */
  embeddingCache?: EmbeddingCacheMode;
}

/** `disk`: memory and OPFS (survives reloads); `memory`: this worker only; `none`: always encode. */
export type EmbeddingCacheMode = 'disk' | 'memory' | 'none';

export interface EncodeResult {
  width: number;
  height: number;
  /** Where the time went (ms), for diagnostics and the benchmark (see ImageEncodeDetail). */
  timings: { decode: number; preprocess: number; encoder: number; gpuWait?: number };
}

/**
 * Decode + resize + normalise an image ahead of its encode (while the model still downloads or
 * compiles). The encode with the same imageKey then starts straight with the encoder.
 */
export interface PrepareImageRequest {
  type: 'prepare-image';
  imageKey: string;
  source: WorkerImageSource;
  /** As the encode will ask: a URL's bytes are hashed for the disk cache only under 'disk'. */
  embeddingCache?: EmbeddingCacheMode;
}

/**
 * Requests of one lane replace each other while queued: when a newer one arrives, the older ones
 * that have not started are answered `aborted` without running. A lane is any string; the element
 * uses `${owner}/${imageKey}/${objectId}` for clicks and another for its hover previews.
 */
export interface Laned {
  lane?: string;
}

/**
 * One object of an encoded image, as the worker keeps it: the last decode's candidates (3x256x256
 * logits and their scores), the chosen candidate and its natural-size mask. Refinement, render
 * and exports name the object instead of sending logits or masks.
 */
export interface ObjectRef {
  imageKey: string;
  /** The element's object id (1, 2, ...). */
  objectId: number;
}

export interface DecodeRequest extends Laned {
  type: 'decode';
  modelKey: string;
  imageKey: string;
  /**
   * The object this decode is for: its result is kept under (imageKey, objectId) and replaces the
   * object's previous one (except with `previewOnly`, which changes nothing kept). Without it the
   * worker keeps nothing (protocol v1).
   */
  objectId?: number;
  /**
   * Use the object's kept chosen candidate as `mask_input` (the official predictor refines only
   * when a click is added to the same object). Ignored when the object has no result yet.
   */
  refine?: boolean;
  prompts: Prompts;
  /** @deprecated v1: 256x256 logits of the previous best candidate for refinement. Use `refine`. */
  maskInput?: Float32Array | null;
  threshold: number;
  /** Candidate to upsample; null = highest predicted IoU. */
  maskIndex: number | null;
  cleanup?: MaskCleanup;
  /**
   * When set, the chosen mask is first sent at this (display) size as a `partial` message, before
   * the natural-size mask is computed: a large photo shows its mask as soon as the decoder is done.
   */
  preview?: { width: number; height: number } | null;
  /** Only the preview is wanted (hover): it becomes the result and no natural-size mask is made. */
  previewOnly?: boolean;
  /** How the natural-size mask's edge is placed (default `model`); previews are always the model's. */
  edges?: MaskEdges;
}

/** The `partial` message of a decode with `preview`: the chosen mask at display size. */
export interface DecodePreview {
  data: Uint8Array;
  width: number;
  height: number;
  maskIndex: number;
}

/** SAM 2's optional post-processing, areas in cells of the 256x256 low-resolution grid. */
export interface MaskCleanup {
  maxHoleArea: number;
  maxSprinkleArea: number;
}
export interface MaskPayload {
  /** Natural-size mask, 1 = inside, row-major (transferred). */
  data: Uint8Array;
  width: number;
  height: number;
  bbox: BBox;
  area: number;
}
/** An object's chosen mask (natural size, transferred) with its candidates' scores. */
export interface ObjectMask extends MaskPayload {
  /** Predicted IoU of each candidate. */
  scores: number[];
  /** The chosen candidate. */
  maskIndex: number;
}
export interface DecodeResult extends ObjectMask {
  /** Where the time went (ms), for diagnostics and the benchmark. */
  timings: { decoder: number; postprocess: number };
  /**
   * @deprecated v1: all candidates' 256x256 logits, candidate-major (transferred). With
   * `objectId` the worker keeps them; this field goes once the element no longer reads it.
   */
  lowResLogits: Float32Array;
}

/**
 * Re-thresholds an object's kept candidates or switches to another candidate, without the
 * decoder; the result replaces the object's chosen mask.
 */
export interface RenderObjectRequest extends ObjectRef, Laned {
  type: 'render';
  threshold: number;
  /** Candidate to show; null = the object's current one. */
  maskIndex: number | null;
  cleanup?: MaskCleanup;
  /** As in {@link DecodeRequest}: a change of `edges` re-renders from the kept logits. */
  edges?: MaskEdges;
}
/** @deprecated v1: renders logits sent by the page. Use {@link RenderObjectRequest}. */
export interface RenderLogitsRequest extends Laned {
  type: 'render';
  /** One candidate's 256x256 logits. */
  logits: Float32Array;
  width: number;
  height: number;
  threshold: number;
  cleanup?: MaskCleanup;
}
export type RenderRequest = RenderObjectRequest | RenderLogitsRequest;

/** Forgets one object's kept result (it was cleared or removed). */
export interface ReleaseObjectRequest extends ObjectRef {
  type: 'release-object';
}

export interface ReleaseImageRequest {
  type: 'release-image';
  imageKey: string;
}

export interface WorkerMask {
  width: number;
  height: number;
  data: Uint8Array;
}

export type ExportKind = 'mask' | 'cutout' | 'labels';

/**
 * Which kept masks an export is of: one object (`objectId`), or with `objectId: null` every
 * object of the image that has a mask (`objectIds` narrows that list).
 */
export interface ObjectSelection {
  imageKey: string;
  objectId?: number | null;
  objectIds?: number[];
}

/**
 * An image file of an encoded image's objects: `mask` (white on black; several objects: their
 * union), `cutout` (the image, transparent outside), or `labels` (greyscale PNG without alpha at
 * natural size, pixel = object id, 8-bit or 16-bit when an id exceeds 255; overlaps go to the
 * object with the highest logit there). `crop`/`feather` apply to mask and cutout.
 */
export interface ExportImageRequest extends ObjectSelection {
  type: 'export-image';
  /** @deprecated v1: the mask sent by the page. Use `objectId`. */
  mask?: WorkerMask;
  kind: ExportKind;
  format: 'image/png' | 'image/webp';
  quality?: number;
  crop: boolean;
  feather: number;
  /** Cut-out alpha from the mask's scores (anti-aliased edge) instead of 0/255. */
  soft?: boolean;
}

export interface PolygonsRequest {
  type: 'polygons';
  /** v2: the object's kept mask. */
  imageKey?: string;
  objectId?: number;
  /** @deprecated v1: the mask sent by the page. */
  mask?: WorkerMask;
  tolerance: number;
}

export interface CocoRleRequest {
  type: 'coco-rle';
  /** v2: the object's kept mask. */
  imageKey?: string;
  objectId?: number;
  /** @deprecated v1: the mask sent by the page. */
  mask?: WorkerMask;
}

/** One COCO annotation per object of `objectIds` (default: all) that has a non-empty mask. */
export interface CocoAnnotationsRequest {
  type: 'coco-annotations';
  imageKey: string;
  objectIds?: number[];
  imageId: number;
  categoryId: number;
}

/** A COCO instance annotation (`iscrowd: 0` with an RLE segmentation, as pycocotools reads it). */
export interface CocoAnnotation {
  /** The object id. */
  id: number;
  image_id: number;
  category_id: number;
  iscrowd: 0;
  segmentation: { size: [number, number]; counts: string };
  area: number;
  bbox: [number, number, number, number];
}
export interface CocoAnnotations {
  annotations: CocoAnnotation[];
}

export interface CocoRleResult {
  size: [number, number];
  counts: string;
  area: number;
  bbox: [number, number, number, number];
}

/** Diagnostics: what the worker holds (used by tests and the benchmark). */
export interface StatsRequest {
  type: 'stats';
}
export interface WorkerStats {
  /** Model InferenceSession.create calls since the worker started (not the runtime warm-up). */
  sessionsCreated: number;
  /** onnxruntime started ahead of the first model's bytes: 'ok', 'failed', or not yet 'started'. */
  runtimeWarmUp: 'idle' | 'started' | 'ok' | 'failed';
  modelsLoaded: number;
  imagesEncoded: number;
  /** Encodes answered from the in-memory embedding cache (a revisited image). */
  embeddingCacheHits: number;
  /** Encodes answered from embeddings stored in OPFS (an image seen on an earlier visit). */
  embeddingDiskHits: number;
  /** Encodes whose image was decoded and resized while the model was still loading. */
  encodesPreparedAhead: number;
  /** Image embeddings currently held. */
  imagesHeld: number;
  /** Models loaded and held (each has an encoder and a decoder session). */
  modelsHeld: number;
  /** onnxruntime sessions created and not yet released. */
  sessionsHeld: number;
  decodes: number;
  /** WebGPU: encodes whose embeddings stayed on the GPU for the decodes (no upload per click). */
  embeddingsKeptOnDevice: number;
  /** WebGPU: embeddings uploaded to the GPU for a decode (an image answered from a cache). */
  embeddingUploads: number;
  /** WebGPU: decoder runs made ahead of the first click to compile its shaders. */
  decoderWarmUps: number;
  /** WebGPU: warm-ups not run because a decode came first (the click compiled the shaders itself). */
  decoderWarmUpsSkipped: number;
  /** WebGPU: `imagesEncoded` when the last decoder warm-up started (encodes queued behind the first ran before it). */
  encodesBeforeDecoderWarmUp: number;
  /** WebGPU: embedding copy-downs (GPU → CPU, for the caches) that landed after their encode had replied. */
  embeddingCopyDownsAfterReply: number;
  /** WebGPU: embedding copy-downs that failed (that image's embeddings are not cached; its decodes still run on the GPU copy). */
  embeddingCopyDownFailures: number;
  /** WebGPU: encoder inputs resized + normalised on the GPU (gpu-preprocess.ts). */
  gpuPreprocessed: number;
  /** WebGPU: images larger than a GPU texture may be, resized on the CPU instead. */
  gpuPreprocessFallbacks: number;
  /** WASM threads onnxruntime really runs (read back from it once started). */
  threads: number;
  /** Model bytes received over the network / read from the cache since the worker started. */
  modelBytesFromNetwork: number;
  modelBytesFromCache: number;
  /** Cached model chunks that failed their checksum: dropped and fetched again, never used. */
  modelChunksRepaired: number;
  /** Stored embeddings refused on read (bytes changed since written): dropped, the image encoded again. */
  embeddingsRejected: number;
  /** Where models are cached: OPFS, IndexedDB (no usable OPFS), or memory (no persistent storage). */
  modelStore: 'opfs' | 'indexeddb' | 'memory';
  /** Queued requests answered `aborted` without running (superseded in their lane, or cancelled). */
  requestsSuperseded: number;
  /** Typed-array bytes the worker's messages copied (structured clone) instead of transferring. */
  bytesClonedToPage: number;
}

/**
 * Test hook: makes the worker throw an uncaught error, exactly what a real crash (a wasm abort,
 * an out-of-memory) looks like from the page, so recovery can be tested end to end.
 */
export interface CrashRequest {
  type: 'crash';
}

/** Test hook (WebGPU worker): destroys onnxruntime's GPUDevice, as a driver reset would lose it. */
export interface LoseDeviceRequest {
  type: 'lose-device';
}

/** Test hook: pretend the WebGPU adapter lacks (false) or has (true) `shader-f16`; null: ask it. */
export interface SimulateAdapterRequest {
  type: 'simulate-adapter';
  shaderF16: boolean | null;
}

/**
 * Test hook (WebGPU worker, a model loaded): the encoder input of an image made both ways, the
 * CPU path's (canvas resize) and the GPU path's (gpu-preprocess.ts; null when the image would
 * take the CPU path), planar CHW float32.
 */
export interface ComparePreprocessRequest {
  type: 'compare-preprocess';
  source: WorkerImageSource;
}
export interface ComparePreprocessResult {
  width: number;
  height: number;
  cpu: Float32Array;
  gpu: Float32Array | null;
}

/** The models in the cache (OPFS), complete or interrupted. */
export interface ListCacheRequest {
  type: 'list-cache';
}

/** Removes cached models whose name or key equals `match` (all when omitted). */
export interface ClearCacheRequest {
  type: 'clear-cache';
  match?: string;
}

/** Test hook: from now on the worker's storage behaves as if full or unavailable (null: normal). */
export interface StorageFaultRequest {
  type: 'storage-fault';
  fault: StorageFault | null;
}

interface Spec<Request extends { type: string }, Result, Partial = never> {
  request: Request;
  result: Result;
  /** An early result sent before the final one (`partial` message), or never. */
  partial: Partial;
}

/**
 * The protocol, per request type: what is sent, what comes back, and the early result (if any).
 * The worker's handler table and the client's `request()` are both typed from it.
 */
export interface WorkerProtocol {
  'load-model': Spec<LoadModelRequest, LoadModelResult>;
  'list-cache': Spec<ListCacheRequest, CachedModel[]>;
  'clear-cache': Spec<ClearCacheRequest, CachedModel[]>;
  'storage-fault': Spec<StorageFaultRequest, void>;
  'prepare-image': Spec<PrepareImageRequest, { width: number; height: number }>;
  encode: Spec<EncodeRequest, EncodeResult>;
  decode: Spec<DecodeRequest, DecodeResult, DecodePreview>;
  render: Spec<RenderRequest, ObjectMask>;
  'release-object': Spec<ReleaseObjectRequest, void>;
  'release-image': Spec<ReleaseImageRequest, void>;
  'release-owner': Spec<ReleaseOwnerRequest, void>;
  'export-image': Spec<ExportImageRequest, Blob>;
  polygons: Spec<PolygonsRequest, Polygon[]>;
  'coco-rle': Spec<CocoRleRequest, CocoRleResult>;
  'coco-annotations': Spec<CocoAnnotationsRequest, CocoAnnotations>;
  stats: Spec<StatsRequest, WorkerStats>;
  crash: Spec<CrashRequest, never>;
  'lose-device': Spec<LoseDeviceRequest, void>;
  'simulate-adapter': Spec<SimulateAdapterRequest, void>;
  'compare-preprocess': Spec<ComparePreprocessRequest, ComparePreprocessResult>;
}

export type WorkerRequestType = keyof WorkerProtocol;
export type RequestOf<K extends WorkerRequestType> = WorkerProtocol[K]['request'];
export type ResultOf<K extends WorkerRequestType> = WorkerProtocol[K]['result'];
export type PartialOf<K extends WorkerRequestType> = WorkerProtocol[K]['partial'];
export type WorkerRequest = { [K in WorkerRequestType]: RequestOf<K> }[WorkerRequestType];

/**
 * The code a request's failure is reported with when what went wrong is not already a
 * Sam2Error (an exception from onnxruntime, a canvas, the disk): a failed export is an
 * `export-failed`, never a `decode-failed`.
 */
export const FAILURE_CODES: { readonly [K in WorkerRequestType]: Sam2ErrorCode } = {
  'load-model': 'model-fetch-failed',
  'list-cache': 'storage-unavailable',
  'clear-cache': 'storage-unavailable',
  'storage-fault': 'invalid-argument',
  'prepare-image': 'encode-failed',
  encode: 'encode-failed',
  decode: 'decode-failed',
  render: 'decode-failed',
  'release-object': 'invalid-argument',
  'release-image': 'invalid-argument',
  'release-owner': 'invalid-argument',
  'export-image': 'export-failed',
  polygons: 'export-failed',
  'coco-rle': 'export-failed',
  'coco-annotations': 'export-failed',
  stats: 'invalid-argument',
  crash: 'worker-crashed',
  'lose-device': 'invalid-argument',
  'simulate-adapter': 'invalid-argument',
  'compare-preprocess': 'encode-failed',
};

export type ClientMessage = { id: number; request: WorkerRequest } | { id: number; cancel: true };

export type WorkerMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedSam2Error }
  | { id: number; progress: ProgressDetail }
  /** An early, partial result (a decode's display-size preview) before the final one. */
  | { id: number; partial: unknown }
  /** Something went wrong that the request survives (the cache can't be written): reported, not thrown. */
  | { id: number; warning: SerializedSam2Error }
  /** Unsolicited (id 0): the WebGPU device is gone, with everything this worker held on it. */
  | { id: 0; deviceLost: SerializedSam2Error };

/** The name the worker is started with; onnxruntime's pthread workers are named 'em-pthread'. */
export const WORKER_NAME = 'sam2-segmenter';

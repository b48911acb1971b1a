/**
 * The element's side of the inference pipeline: which worker (backend choice, WebGPU → WASM
 * fallback), the model / image / encode @lit/task Tasks, the image sent ahead while the model
 * loads, recovery from a crashed worker or a lost GPU device, and letting go of everything when
 * the element leaves the document for good.
 *
 * "For good" is decided a microtask after `disconnectedCallback`: a synchronous DOM move
 * (remove + insert in the same task, as frameworks do when reordering) keeps the encode.
 */
import type { ReactiveController } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { Sam2Error } from '../errors.js';
import type { Backend, ImageEncodeDetail, ProgressDetail } from '../events.js';
import { prepareImage, releaseDisplay, type PreparedImage } from '../image-input.js';
import type { ResolvedManifest } from '../model/manifest.js';
import { isPreset, looksLikePresetName, resolveModel, unknownModelError } from '../model/presets.js';
import { isModelPrecision, type ModelPrecision } from '../model/precision.js';
import type { EmbeddingCacheMode, EncodeResult, LoadModelResult } from '../worker/protocol.js';
import { markWebGpuLost, resolveBackend } from '../client/backend.js';
import { getWorkerClient, type WorkerClient } from '../client/worker-client.js';
import type { Emitter } from './emitter.js';
import type { SegmenterHost, Size } from './host.js';
import type { VisibilityController } from './visibility.js';

export const SAM2_STATUSES = ['idle', 'loading', 'encoding', 'ready', 'decoding', 'error'] as const;
export type Sam2Status = (typeof SAM2_STATUSES)[number];
export const EMBEDDING_CACHE_MODES = ['disk', 'memory', 'none'] as const;

/** An image whose embeddings the worker holds under `imageKey`. */
export interface EncodedImage {
  imageKey: string;
  modelKey: string;
  width: number;
  height: number;
}

interface LoadedModel extends LoadModelResult {
  manifest: ResolvedManifest;
}

export interface EngineHooks {
  /** The image is encoded and usable (the first time, or again after a crash or re-insertion). */
  ready(image: EncodedImage): void;
  /** A step failed that segmenting needs (model, image or encode). */
  failed(error: Sam2Error): void;
  /** The worker lost its sessions and embeddings (crash, lost device) or the element let them go. */
  lost(reason: Sam2Error | null): void;
}

/** Codes a failed model load keeps when a method call is refused (the page must fix the value). */
const MODEL_CODES_PASSED_ON: ReadonlySet<string> = new Set(['model-unknown']);

let elementCount = 0;

/** A `model` string that can only be a typo'd preset name. */
const isUnknownModel = (model: SegmenterHost['model']): model is string =>
  typeof model === 'string' && !isPreset(model) && looksLikePresetName(model);

/** Unknown attribute values fall back to the default rather than disabling the cache silently. */
const embeddingCacheMode = (value: string): EmbeddingCacheMode =>
  (EMBEDDING_CACHE_MODES as readonly string[]).includes(value) ? (value as EmbeddingCacheMode) : 'disk';

export class EngineController implements ReactiveController {
  /** This element's id towards the worker (owner of its loads, encodes and decodes). */
  readonly owner = `e${++elementCount}`;
  /** The shared worker of the backend in use (set when the model loads). */
  client: WorkerClient = getWorkerClient('wasm');
  encoded: EncodedImage | null = null;
  progress: ProgressDetail | null = null;
  display: PreparedImage['display'] | null = null;

  /** Bumped when the worker's state is gone: the Tasks run again in a fresh worker. */
  private _generation = 0;
  /** In the document (false from the release after removal until connected again). */
  private _attached = false;
  private _imageCounter = 0;
  private _encodeMs = 0;
  private _encodeTimings: ImageEncodeDetail['timings'];
  /** What the model and image Tasks last ran with: a failure only counts while they are current. */
  private _modelRun: readonly unknown[] = [];
  private _imageRun: unknown = undefined;
  /** The worker this element told which model it uses, and for which model properties. */
  private _claim: { client: WorkerClient; args: readonly unknown[] } | null = null;
  /** An image sent ahead to the worker to be decoded while the model loads. */
  private _warmup: { prepared: PreparedImage; imageKey: string; client: WorkerClient | null } | null = null;

  readonly modelTask: Task<readonly unknown[], LoadedModel | null>;
  readonly imageTask: Task<readonly unknown[], PreparedImage | null>;
  readonly encodeTask: Task<readonly unknown[], EncodedImage | null>;

  constructor(
    private readonly _host: SegmenterHost,
    private readonly _emitter: Emitter,
    private readonly _visibility: VisibilityController,
    private readonly _hooks: EngineHooks,
  ) {
    _host.addController(this);
    this.modelTask = new Task(_host, {
      // A typo'd preset fails whether or not the element is active, once (activation changes nothing).
      args: () => [_host.model, _host.modelBase, _host.backend, _host.precision, this._visibility.active && this._attached && !isUnknownModel(_host.model), this._generation] as const,
      task: async ([model, modelBase, backend, precision, run], { signal }) => {
        this._modelRun = [model, modelBase, backend, precision];
        // Another model: the worker may let the old one go (its download stops) before the new one is resolved.
        if (this._claim && this._claim.args.some((v, i) => v !== this._modelRun[i])) this._releaseModel();
        if (isUnknownModel(model)) throw unknownModelError(model);
        return run ? this._loadModel(model, modelBase, backend, isModelPrecision(precision) ? precision : 'auto', signal) : null;
      },
      onError: (error) => this._fail(error, 'model-fetch-failed'),
    });
    this.imageTask = new Task(_host, {
      args: () => [_host.image ?? _host.src] as const,
      task: async ([input]) => {
        this._imageRun = input;
        return input === null || input === undefined || input === '' ? null : prepareImage(input, document.baseURI);
      },
      onComplete: (prepared) => this._setDisplay(prepared?.display ?? null),
      onError: (error) => this._fail(error, 'image-load-failed'),
    });
    this.encodeTask = new Task(_host, {
      args: () => [this.imageTask.value ?? null, this.modelTask.value ?? null] as const,
      task: ([prepared, model], { signal }) => (prepared && model ? this._encode(prepared, model, signal) : Promise.resolve(null)),
      onComplete: (encoded) => {
        if (!encoded) return;
        // @lit/task calls this just before it marks the task complete; a microtask later `status`
        // already reads 'ready' in the listeners of image-encode.
        queueMicrotask(() => {
          if (this.encoded !== encoded) return;
          this._emitter.emit('image-encode', { width: encoded.width, height: encoded.height, ms: this._encodeMs, timings: this._encodeTimings });
          this._hooks.ready(encoded);
        });
      },
      onError: (error) => this._fail(error, 'encode-failed'),
    });
  }

  hostConnected(): void {
    this.client.addEventListener('crash', this._onCrash);
    this.client.addEventListener('device-lost', this._onDeviceLost);
    if (!this._attached) {
      this._attached = true;
      this._host.requestUpdate();
    }
  }

  hostDisconnected(): void {
    this.client.removeEventListener('crash', this._onCrash);
    this.client.removeEventListener('device-lost', this._onDeviceLost);
    queueMicrotask(() => {
      if (!this._host.isConnected && this._attached) this._release();
    });
  }

  hostUpdated(): void {
    this._warmUpImage();
  }

  /** The image is encoded for the current model and may be segmented. */
  get ready(): boolean {
    return this.encoded !== null && this.encodeTask.status === TaskStatus.COMPLETE;
  }

  /** `src` or `image` is set. */
  get hasImage(): boolean {
    const input = this._host.image ?? this._host.src;
    return input !== null && input !== undefined && input !== '';
  }

  /** Natural size of the encoded image, else of the displayed one (before the encode), or null. */
  get imageSize(): Size | null {
    if (this.encoded) return { width: this.encoded.width, height: this.encoded.height };
    const display = this.display;
    if (!display) return null;
    if ('bitmap' in display) return { width: display.bitmap.width, height: display.bitmap.height };
    const img = this._host.renderRoot.querySelector<HTMLImageElement>('img.image');
    return img?.naturalWidth ? { width: img.naturalWidth, height: img.naturalHeight } : null;
  }

  /**
   * Why segmenting can't happen (null while it can, or will once loaded): a failed model
   * refuses calls with `not-ready` (its error as the cause); a failed image or encode with its
   * own error.
   */
  get failure(): Sam2Error | null {
    const host = this._host;
    // No model will come for a typo'd name: calls fail now instead of waiting for it.
    if (isUnknownModel(host.model)) return unknownModelError(host.model);
    // A property set since the failure (not yet run by the Tasks) deserves its own attempt.
    const imageCurrent = this._imageRun === (host.image ?? host.src);
    const modelCurrent = [host.model, host.modelBase, host.backend, host.precision].every((v, i) => v === this._modelRun[i]);
    if (this.imageTask.status === TaskStatus.ERROR) return imageCurrent ? Sam2Error.from(this.imageTask.error, 'image-load-failed') : null;
    if (!modelCurrent || !imageCurrent) return null;
    if (this.modelTask.status === TaskStatus.ERROR) {
      const error = Sam2Error.from(this.modelTask.error, 'model-fetch-failed');
      if (MODEL_CODES_PASSED_ON.has(error.code)) return error;
      return new Sam2Error('not-ready', `The model could not be loaded (${error.code}): ${error.message}`, { cause: error });
    }
    if (this.encodeTask.status === TaskStatus.ERROR) return Sam2Error.from(this.encodeTask.error, 'encode-failed');
    return null;
  }

  status(decoding: boolean): Sam2Status {
    const model = this.modelTask.status;
    const image = this.imageTask.status;
    const encode = this.encodeTask.status;
    if (model === TaskStatus.ERROR || image === TaskStatus.ERROR || encode === TaskStatus.ERROR) return 'error';
    if (model === TaskStatus.PENDING) return 'loading';
    if (image === TaskStatus.PENDING || encode === TaskStatus.PENDING) return this.modelTask.value ? 'encoding' : 'loading';
    if (this.ready) return decoding ? 'decoding' : 'ready';
    return 'idle';
  }

  /** `src` or `image` changed: the old image's embeddings are released at once. */
  resetForNewImage(): void {
    this._releaseWarmup();
    this._releaseEncoded();
  }

  // --- steps -------------------------------------------------------------------------------

  private async _loadModel(
    model: SegmenterHost['model'],
    modelBase: string | null,
    backend: SegmenterHost['backend'],
    precision: ModelPrecision,
    signal: AbortSignal,
  ): Promise<LoadedModel> {
    this.progress = null;
    const manifest = await resolveModel(model, modelBase, document.baseURI, signal, precision);
    const resolved = await resolveBackend(backend);
    const args = this._modelRun;
    const load = (which: Backend) => {
      this._useClient(getWorkerClient(which));
      // A superseded run claims nothing (its request is refused at once as aborted).
      if (!signal.aborted) {
        if (this._claim && this._claim.client !== this.client) this._releaseModel();
        this._claim = { client: this.client, args };
      }
      return this.client.request(
        { type: 'load-model', manifest, backend: which, owner: this.owner },
        {
          signal,
          onProgress: (detail) => this._onProgress(detail),
          // The cache can't be written (full, unavailable): reported, and the load goes on.
          onWarning: (warning) => this._emitter.error(warning, 'storage-unavailable'),
        },
      );
    };
    let result: LoadModelResult;
    try {
      result = await load(resolved);
    } catch (error) {
      // With `auto`, a WebGPU start-up failure falls back to the WASM build, which always runs.
      const code = Sam2Error.from(error).code;
      const modelProblem = code === 'model-fetch-failed' || code === 'model-integrity' || code === 'aborted';
      if (backend !== 'auto' || resolved === 'wasm' || modelProblem) throw error;
      result = await load('wasm');
    }
    signal.throwIfAborted();
    this._emitter.emit('model-load', { model: manifest.name, ...result });
    return { manifest, ...result };
  }

  private async _encode(prepared: PreparedImage, model: LoadedModel, signal: AbortSignal): Promise<EncodedImage> {
    const started = performance.now();
    // Reuse the key of a warm-up sent to this same worker: it holds the prepared input.
    const warm = this._warmup?.prepared === prepared && this._warmup.client === this.client ? this._warmup : null;
    const imageKey = warm?.imageKey ?? this._newImageKey();
    // The warm-up's input is this encode's now: a later encode (another model) gets a key of its
    // own, since this one is released when that one replaces it.
    if (warm) this._warmup = null;
    const { source, transfer } = await workerSource(prepared);
    // A new encode starts its own progress from 0 (the previous one ended at 1).
    this.progress = null;
    const client = this.client;
    let answer: EncodeResult;
    try {
      answer = await client.request(
        { type: 'encode', modelKey: model.manifest.key, imageKey, source, embeddingCache: embeddingCacheMode(this._host.embeddingCache) },
        { signal, transfer, onProgress: (detail) => this._onProgress(detail) },
      );
      signal.throwIfAborted();
    } catch (error) {
      // Superseded or failed: whatever the worker holds (or will hold) under the key goes.
      if (client.started) void client.request({ type: 'release-image', imageKey }).catch(() => {});
      throw error;
    }
    const { width, height, timings } = answer;
    this._releaseEncoded();
    const encoded = { imageKey, modelKey: model.manifest.key, width, height };
    this.encoded = encoded;
    this._encodeMs = performance.now() - started;
    this._encodeTimings = timings;
    return encoded;
  }

  /**
   * Starts decoding + resizing the image in the worker as soon as it is set and the element is
   * active, so that work overlaps the model download and compilation instead of following it.
   */
  private _warmUpImage() {
    const prepared = this.imageTask.value;
    if (!this._visibility.active || !this._attached || !prepared || this._warmup?.prepared === prepared) return;
    if (this.encodeTask.status === TaskStatus.PENDING || this.modelTask.value) return; // the encode starts right away anyway
    const warmup: NonNullable<EngineController['_warmup']> = { prepared, imageKey: this._newImageKey(), client: null };
    this._warmup = warmup;
    void resolveBackend(this._host.backend)
      .then(async (backend) => {
        if (this._warmup !== warmup) return;
        warmup.client = getWorkerClient(backend);
        const { source, transfer } = await workerSource(prepared);
        await warmup.client.request(
          { type: 'prepare-image', imageKey: warmup.imageKey, source, embeddingCache: embeddingCacheMode(this._host.embeddingCache) },
          { transfer },
        );
      })
      .catch(() => {
        /* the encode reports image problems */
      });
  }

  private _newImageKey() {
    return `${this.owner}:${++this._imageCounter}`;
  }

  private _onProgress(detail: ProgressDetail) {
    // The worker computes one monotonic fraction per job; this guard keeps it so across the
    // worker boundary (a job starts by resetting `progress`).
    const previous = this.progress;
    if (previous && detail.fraction < previous.fraction) return;
    this.progress = detail;
    this._host.requestUpdate();
    this._emitter.emit('progress', detail);
  }

  private _fail(error: unknown, fallback: Parameters<Emitter['error']>[1]) {
    const e = this._emitter.error(error, fallback);
    // A Task reports its error just before it marks itself failed: `failure` reads it a microtask later.
    if (e.code !== 'aborted') queueMicrotask(() => this._hooks.failed(this.failure ?? e));
  }

  private _setDisplay(display: PreparedImage['display'] | null) {
    if (display === this.display) return;
    releaseDisplay(this.display);
    this.display = display;
    this._host.requestUpdate();
  }

  // --- worker state ------------------------------------------------------------------------

  private _useClient(client: WorkerClient) {
    if (client === this.client) return;
    this.client.removeEventListener('crash', this._onCrash);
    this.client.removeEventListener('device-lost', this._onDeviceLost);
    this.client = client;
    if (this._host.isConnected) {
      client.addEventListener('crash', this._onCrash);
      client.addEventListener('device-lost', this._onDeviceLost);
    }
  }

  private readonly _onCrash = (event: Event) => {
    // Sessions and embeddings died with the worker: bumping the generation re-runs the model
    // and encode tasks in a fresh worker; prompts survive and are decoded again once ready.
    const hadWork = this.modelTask.value != null || this.modelTask.status === TaskStatus.PENDING;
    const error = (event as CustomEvent<Sam2Error>).detail;
    if (hadWork) this._emitter.error(error, 'worker-crashed');
    this._restart(error);
  };

  private readonly _onDeviceLost = (event: Event) => {
    // The GPU took the sessions and embeddings with it: the same recovery as a crash, on WASM
    // (resolveBackend answers 'wasm' from now on, whatever `backend` says).
    markWebGpuLost();
    const error = (event as CustomEvent<Sam2Error>).detail;
    this._emitter.error(error, 'backend-lost');
    this._restart(error);
  };

  private _restart(reason: Sam2Error) {
    this.encoded = null;
    this._generation++;
    this._host.requestUpdate();
    this._hooks.lost(reason);
  }

  /** Removed for good: stop this element's work and let the worker forget its image. */
  private _release() {
    this._attached = false;
    this._hooks.lost(null);
    this._releaseWarmup();
    this._releaseEncoded();
    this._releaseModel();
    // The Tasks see `attached` false at the next update: their runs in flight are aborted.
    this._host.requestUpdate();
  }

  /** The worker may release this element's model (and stop its download) if no other element uses it. */
  private _releaseModel() {
    const claim = this._claim;
    this._claim = null;
    if (claim?.client.started) void claim.client.request({ type: 'release-owner', owner: this.owner }).catch(() => {});
  }

  private _releaseWarmup() {
    const warmup = this._warmup;
    this._warmup = null;
    if (warmup?.client?.started) void warmup.client.request({ type: 'release-image', imageKey: warmup.imageKey }).catch(() => {});
  }

  private _releaseEncoded() {
    if (!this.encoded) return;
    const { imageKey } = this.encoded;
    this.encoded = null;
    if (this.client.started) void this.client.request({ type: 'release-image', imageKey }).catch(() => {});
  }
}

/** What the worker decodes: pixel sources are transferred, so each request gets a fresh copy. */
async function workerSource(prepared: PreparedImage) {
  const source =
    prepared.source.kind === 'bitmap' && 'bitmap' in prepared.display
      ? { kind: 'bitmap' as const, bitmap: await createImageBitmap(prepared.display.bitmap) }
      : prepared.source;
  return { source, transfer: source.kind === 'bitmap' ? [source.bitmap] : [] };
}

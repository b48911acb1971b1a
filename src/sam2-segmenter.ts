import { LitElement, html, nothing, svg, type PropertyValues, type SVGTemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { Task, TaskStatus } from '@lit/task';
import { Sam2Error, isAbort, type Sam2ErrorCode } from './errors.js';
import type {
  Backend,
  ErrorDetail,
  ImageEncodeDetail,
  MaskChangeDetail,
  MaskResult,
  ModelLoadDetail,
  ProgressDetail,
  Sam2SegmenterEventMap,
} from './events.js';
import { clientToImage, containRect, type Rect } from './geometry/fit.js';
import { hasPrompts, normalizeBox, type PromptBox, type Prompts } from './geometry/prompts.js';
import { LatestWins } from './controllers/latest-wins.js';
import { PromptHistory, clonePrompts } from './controllers/prompt-history.js';
import { LOW_RES_SIZE } from './geometry/model-frame.js';
import { prepareImage, releaseDisplay, type ImageInput, type PreparedImage } from './image-input.js';
import type { ModelManifest, ResolvedManifest } from './model/manifest.js';
import { cacheNameOf, getDefaultModelBase, isPreset, looksLikePresetName, resolveModel, setDefaultModelBase, unknownModelError } from './model/presets.js';
import { isModelPrecision, type ModelPrecision } from './model/precision.js';
import type { CachedModel } from './model/model-cache.js';
import type { BBox, BinaryMask } from './mask/types.js';
import { OverlayPainter, parseCssColor, type OverlayStyle } from './render/overlay.js';
import { styles } from './sam2-segmenter.styles.js';
import type { BackendPreference, CocoRleResult, EmbeddingCacheMode, LoadModelResult, MaskCleanup } from './worker/protocol.js';
import type { Polygon } from './mask/polygons.js';
import { anyWorkerClient, getWorkerClient, type WorkerClient } from './client/worker-client.js';
import { getBasePath, setBasePath } from './client/assets.js';
import { markWebGpuLost, resolveBackend } from './client/backend.js';

export const SAM2_STATUSES = ['idle', 'loading', 'encoding', 'ready', 'decoding', 'error'] as const;
export type Sam2Status = (typeof SAM2_STATUSES)[number];
export const BACKENDS = ['auto', 'webgpu', 'wasm'] as const;
export const LOADING_MODES = ['lazy', 'eager'] as const;
export const EMBEDDING_CACHE_MODES = ['disk', 'memory', 'none'] as const;
export type LoadingMode = (typeof LOADING_MODES)[number];

/** Pointer travel (CSS px) that turns a press into a box drag. */
const DRAG_THRESHOLD = 6;
/** Radius (CSS px) around a point marker that counts as clicking it: a 24 px target. */
const POINT_HIT_RADIUS = 12;
/** Touch press duration that makes a negative point. */
const LONG_PRESS_MS = 500;

interface Drag {
  pointerId: number;
  startX: number;
  startY: number;
  start: { x: number; y: number };
  box: PromptBox | null;
  negative: boolean;
  longPress: ReturnType<typeof setTimeout> | null;
  /** performance.now() at the press, for the long-press ring. */
  startedAt: number;
}

/** Toolbar icons: 24-unit strokes in currentColor, so they follow the theme. */
const icon = (paths: SVGTemplateResult) =>
  html`<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${paths}</svg>`;
const UNDO_ICON = icon(svg`<polyline points="9 14 4 9 9 4" /><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11" />`);
const REDO_ICON = icon(svg`<polyline points="15 14 20 9 15 4" /><path d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13" />`);
const CLEAR_ICON = icon(svg`<path d="M6 6l12 12M18 6 6 18" />`);

interface LoadedModel extends LoadModelResult {
  manifest: ResolvedManifest;
}
interface EncodedImage {
  imageKey: string;
  modelKey: string;
  width: number;
  height: number;
}
interface Candidates {
  /** candidate-major 3×256×256 logits of the last decode */
  logits: Float32Array;
  scores: number[];
}

export interface ToBlobOptions {
  /** `mask` (default): white inside, black outside. `cutout`: the image, transparent outside. */
  kind?: 'mask' | 'cutout';
  type?: 'image/png' | 'image/webp';
  /** Encoder quality for image/webp (0..1). */
  quality?: number;
  /** Crop to the mask's bounding box. */
  crop?: boolean;
  /** Feather radius of the cut-out edge in pixels. */
  feather?: number;
}

let elementCount = 0;

/** Unknown attribute values fall back to the default rather than disabling the cache silently. */
const embeddingCacheMode = (value: string): EmbeddingCacheMode =>
  (EMBEDDING_CACHE_MODES as readonly string[]).includes(value) ? (value as EmbeddingCacheMode) : 'disk';
const EMPTY_BOX: BBox = { x: 0, y: 0, width: 0, height: 0 };

/** A `model` string that can only be a typo'd preset name. */
const isUnknownModel = (model: string | ModelManifest): model is string =>
  typeof model === 'string' && !isPreset(model) && looksLikePresetName(model);

/**
 * `<sam2-segmenter>`: click to cut out an object, with Segment Anything 2 running in the
 * visitor's browser (Web Worker + onnxruntime-web). Nothing leaves the visitor's machine.
 *
 * @summary Segment Anything 2 image segmentation as a drop-in element.
 *
 * @customElement sam2-segmenter
 *
 * @fires progress - `{phase: 'download' | 'compile' | 'encode', loaded, total, fraction, phaseFraction}` while the model downloads/compiles and the image encodes: `fraction` is the whole job's (a model load, or one image's encode), never decreases within it and ends at 1.
 * @fires model-load - `{model, source: 'network' | 'cache', backend, threads}` when the model is ready.
 * @fires image-encode - `{width, height, ms}` when the image's embeddings are ready.
 * @fires mask-change - `{mask, score, scores, maskIndex, bbox, area, prompts, source}` every time the mask changes (`mask` is null after clear()).
 * @fires error - `{code, message, recoverable}`; does not bubble. The element stays usable.
 *
 * @csspart base - The frame holding the image and overlay.
 * @csspart image - The displayed image.
 * @csspart canvas - The overlay canvas (mask, outline, prompts).
 * @csspart progress - The default progress bar.
 * @csspart toolbar - The overlay toolbar (candidates, undo, redo, clear), shown once there are prompts.
 * @csspart candidates - The candidate-mask chooser inside the toolbar.
 *
 * @slot placeholder - Shown before an image is set.
 * @slot progress - Replaces the default progress bar.
 * @slot toolbar - Replaces the default toolbar.
 *
 * @cssprop [--sam2-mask-color=#1e90ff] - Mask fill colour.
 * @cssprop [--sam2-mask-opacity=0.45] - Mask fill opacity.
 * @cssprop [--sam2-outline-color=#ffffff] - Mask outline colour.
 * @cssprop [--sam2-outline-width=2px] - Mask outline width.
 * @cssprop [--sam2-point-positive-color=#16a34a] - Positive point colour.
 * @cssprop [--sam2-point-negative-color=#dc2626] - Negative point colour.
 * @cssprop [--sam2-box-color=#facc15] - Box prompt colour.
 * @cssprop [--sam2-accent-color=#2563eb] - Progress bar and focus ring.
 * @cssprop [--sam2-touch-action=pinch-zoom] - `touch-action` of the image area (one-finger drags draw boxes; pinch stays the page's).
 *
 * @example
 * ```html
 * <script type="module" src="https://cdn.jsdelivr.net/npm/sam2-segmenter/dist/sam2-segmenter.js"></script>
 * <sam2-segmenter model="tiny" src="photo.jpg" alt="A photo"></sam2-segmenter>
 * <script>
 *   document.querySelector('sam2-segmenter').addEventListener('mask-change', (e) => {
 *     console.log(e.detail.area, e.detail.bbox);
 *   });
 * </script>
 * ```
 */
export class Sam2Segmenter extends LitElement {
  static override styles = styles;

  /**
   * Where presets are served from, for every element without `model-base`: a folder holding one
   * folder per preset, or a template with `{repo}` (default: the onnx-community repositories on
   * Hugging Face). Setting '' restores the default. See docs/models.md.
   */
  static get modelBase(): string {
    return getDefaultModelBase();
  }
  static set modelBase(base: string) {
    setDefaultModelBase(base);
  }

  /**
   * The folder the worker and onnxruntime's files (everything in the package's dist/) are served
   * from, when not where the bundler or CDN put them: e.g. a self-hosted copy. Read when the first
   * element starts loading, so set it before then (elements already in the markup honour it).
   * `data-sam2-base` on the script tag does the same without code. '' or null: the default.
   */
  static get basePath(): string | null {
    return getBasePath();
  }
  static set basePath(path: string | null) {
    setBasePath(path);
  }

  /** The models in the download cache (OPFS): name, key (identity), bytes stored, complete or interrupted. */
  static cachedModels(): Promise<CachedModel[]> {
    return anyWorkerClient().request({ type: 'list-cache' });
  }

  /**
   * Deletes cached model files: those of one model (a preset, a manifest URL or object, a
   * manifest `name`, or a `key` from `cachedModels()`), or all. Resolves with what was removed.
   * Models already loaded on the page stay usable.
   */
  static async clearCache(model?: string | ModelManifest): Promise<CachedModel[]> {
    const match = model === undefined ? undefined : await cacheNameOf(model, document.baseURI);
    return anyWorkerClient().request({ type: 'clear-cache', match });
  }

  /** Image URL (same-origin or served with CORS headers). */
  @property({ reflect: true, noAccessor: true })
  get src(): string | null {
    return this._src;
  }
  set src(value: string | null) {
    const old = this._src;
    if (value === old) return;
    this._src = value;
    this._resetForNewImage();
    this.requestUpdate('src', old);
  }

  /** The image as an object: Blob, File, ImageBitmap, HTMLImageElement, HTMLCanvasElement or ImageData. Takes precedence over `src`. */
  @property({ attribute: false, noAccessor: true })
  get image(): ImageInput | null {
    return this._image;
  }
  set image(value: ImageInput | null) {
    const old = this._image;
    if (value === old) return;
    this._image = value;
    this._resetForNewImage();
    this.requestUpdate('image', old);
  }

  // A new image invalidates prompts and mask at once (not at the next render), so prompts set
  // right after `src` belong to the new image.
  private _src: string | null = null;
  private _image: ImageInput | null = null;

  /**
   * `tiny` | `small` | `base-plus` | `large` (SAM 2.1) | `edgetam` (EdgeTAM), a model manifest URL,
   * or (property) a manifest object. A name that is no preset (no `/`, no `.`) fails at once with
   * `model-unknown`, without a request.
   */
  @property() model: string | ModelManifest = 'tiny';

  /**
   * Which variant files a preset loads: `auto` (default: fp16 encoder + fp32 decoder on WebGPU
   * with `shader-f16`, fp32 elsewhere) | `fp32` | `fp16` | `q8` | `q4f16`. fp16 and q4f16 fall back
   * to fp32 where their sessions can't be created. Manifests (URLs, objects) load what they list.
   * See docs/models.md "Precision".
   */
  @property() precision: ModelPrecision = 'auto';

  /** Where presets are served from (self-hosting, mirrors): a folder, or a template with `{repo}`. */
  @property({ attribute: 'model-base' }) modelBase: string | null = null;

  /**
   * `auto` (WebGPU with a hardware adapter, else WASM) | `webgpu` | `wasm`. If the GPU device is
   * lost while in use, the element reports `backend-lost` and continues on WASM by itself.
   */
  @property() backend: BackendPreference = 'auto';

  /** Mask logit threshold (0 = probability 0.5). */
  @property({ type: Number }) threshold = 0;

  /** `lazy`: load when near the viewport or on first interaction; `eager`: load at once. */
  @property() loading: LoadingMode = 'lazy';

  /** Show the mask a click would give while the pointer hovers. */
  @property({ type: Boolean, attribute: 'hover-preview' }) hoverPreview = false;

  /** Ignore pointer and keyboard prompting (methods still work). */
  @property({ type: Boolean, reflect: true }) disabled = false;

  /** Accessible name of the image. */
  @property() alt = '';

  /**
   * Fill background holes up to this area (in cells of the decoder's 256x256 grid, as in SAM 2's
   * `max_hole_area`). 0 = off.
   */
  @property({ type: Number, attribute: 'max-hole-area' }) maxHoleArea = 0;

  /** Remove foreground specks up to this area (256x256 grid cells, SAM 2's `max_sprinkle_area`). 0 = off. */
  @property({ type: Number, attribute: 'max-sprinkle-area' }) maxSprinkleArea = 0;

  /**
   * Where image embeddings are kept so that returning to an image skips the encoder:
   * `disk` (default) in memory and in the Origin Private File System, keyed by model and a hash
   * of the image's bytes, so it survives reloads (~17 MB per image, the 16 most recent kept);
   * `memory` only for this page's life (nothing derived from the image is stored, e.g. for
   * private photos); `none` encodes every time. `clearCache()` removes stored embeddings too.
   */
  @property({ attribute: 'embedding-cache' }) embeddingCache: EmbeddingCacheMode = 'disk';

  @state() private _status: Sam2Status = 'idle';
  @state() private _progress: ProgressDetail | null = null;
  @state() private _active = false;
  @state() private _generation = 0;
  @state() private _decoding = false;

  @query('.frame') private _frame!: HTMLElement;
  @query('.overlay') private _overlay!: HTMLCanvasElement;
  @query('canvas.image') private _displayCanvas?: HTMLCanvasElement;

  private readonly _id = ++elementCount;
  /** The shared worker of the backend in use (set when the model loads). */
  private _client: WorkerClient = getWorkerClient('wasm');
  private _painter: OverlayPainter | null = null;
  private _resizeObserver: ResizeObserver | null = null;
  private _intersectionObserver: IntersectionObserver | null = null;
  private _dprQuery: MediaQueryList | null = null;
  private _imageCounter = 0;

  private readonly _history = new PromptHistory();
  private _result: MaskResult | null = null;
  private _candidates: Candidates | null = null;
  /** The chosen candidate's logits, fed back as `mask_input` on the next click (refinement). */
  private _maskInput: Float32Array | null = null;
  private _decodeController: AbortController | null = null;
  private _pendingDecode: Array<{ resolve(r: MaskResult | null): void; reject(e: unknown): void; source: 'user' | 'api' }> = [];
  private _display: PreparedImage['display'] | null = null;
  private _drag: Drag | null = null;
  /** Mask the pointer's position would give (hover preview), painted instead of the result. */
  private _preview: BinaryMask | null = null;
  /** The decode in flight's display-size mask, painted until its natural-size result arrives. */
  private _earlyMask: BinaryMask | null = null;
  private readonly _hover = new LatestWins<{ x: number; y: number }, BinaryMask | null>(
    async (point, signal) => {
      const encoded = this._encoded;
      if (!encoded) return null;
      const prompts = clonePrompts(this._history.current);
      prompts.points.push({ ...point, label: 1 });
      const result = await this._client.request(
        {
          type: 'decode',
          modelKey: encoded.modelKey,
          imageKey: encoded.imageKey,
          prompts,
          maskInput: this._maskInput,
          threshold: this.threshold,
          maskIndex: null,
          cleanup: this._cleanup(),
          // Only painted, never emitted: the display-size mask is all a hover needs.
          preview: this._displayMaskSize(),
          previewOnly: true,
        },
        { signal },
      );
      return this._encoded === encoded ? { width: result.width, height: result.height, data: result.data } : null;
    },
    (mask) => {
      this._preview = mask;
      this._paint();
    },
  );
  private _cursor: { x: number; y: number } | null = null;
  private _announcement = '';

  private _useClient(client: WorkerClient) {
    if (client === this._client) return;
    this._client.removeEventListener('crash', this._onCrash);
    this._client.removeEventListener('device-lost', this._onDeviceLost);
    this._client = client;
    if (this.isConnected) {
      client.addEventListener('crash', this._onCrash);
      client.addEventListener('device-lost', this._onDeviceLost);
    }
  }

  private readonly _onCrash = (event: Event) => {
    // Sessions and embeddings died with the worker: bumping the generation re-runs the model
    // and encode tasks in a fresh worker; prompts survive and are decoded again once ready.
    const hadWork = this._modelTask.value != null || this._modelTask.status === TaskStatus.PENDING;
    this._encoded = null;
    this._generation++;
    if (hadWork) this._reportError((event as CustomEvent<Sam2Error>).detail, 'worker-crashed');
    if (hasPrompts(this._history.current)) void this._decode('api').catch(() => {});
  };

  private readonly _onDeviceLost = (event: Event) => {
    // The GPU took the sessions and embeddings with it: the same recovery as a crash, on WASM
    // (resolveBackend answers 'wasm' from now on, whatever `backend` says).
    markWebGpuLost();
    this._encoded = null;
    this._generation++;
    this._reportError((event as CustomEvent<Sam2Error>).detail, 'backend-lost');
    if (hasPrompts(this._history.current)) void this._decode('api').catch(() => {});
  };

  // --- async state ---------------------------------------------------------------------------

  private readonly _modelTask = new Task(this, {
    // A typo'd preset fails whether or not the element is active, once (activation changes nothing).
    args: () => [this.model, this.modelBase, this.backend, this.precision, this._active && !isUnknownModel(this.model), this._generation] as const,
    task: async ([model, modelBase, backend, precision, active], { signal }): Promise<LoadedModel | null> => {
      if (isUnknownModel(model)) throw unknownModelError(model);
      if (!active) return null;
      this._progress = null;
      const manifest = await resolveModel(model, modelBase, document.baseURI, signal, isModelPrecision(precision) ? precision : 'auto');
      const resolved = await resolveBackend(backend);
      const load = (which: Backend) => {
        this._useClient(getWorkerClient(which));
        return this._client.request(
          { type: 'load-model', manifest, backend: which },
          {
            signal,
            onProgress: (detail) => this._onProgress(detail),
            // The cache can't be written (full, unavailable): reported, and the load goes on.
            onWarning: (warning) => this._reportError(warning, 'storage-unavailable'),
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
      this._emit<ModelLoadDetail>('model-load', { model: manifest.name, ...result });
      return { manifest, ...result };
    },
    onError: (error) => this._reportError(error, 'model-fetch-failed'),
  });

  private readonly _imageTask = new Task(this, {
    args: () => [this.image ?? this.src] as const,
    task: async ([input]): Promise<PreparedImage | null> => {
      if (input === null || input === undefined || input === '') return null;
      return prepareImage(input, document.baseURI);
    },
    onComplete: (prepared) => this._setDisplay(prepared?.display ?? null),
    onError: (error) => this._reportError(error, 'image-load-failed'),
  });

  private readonly _encodeTask = new Task(this, {
    args: () => [this._imageTask.value ?? null, this._modelTask.value ?? null] as const,
    task: async ([prepared, model], { signal }): Promise<EncodedImage | null> => {
      if (!prepared || !model) return null;
      const started = performance.now();
      // Reuse the key of a warm-up sent to this same worker: it holds the prepared input.
      const warm = this._warmup?.prepared === prepared && this._warmup.client === this._client ? this._warmup : null;
      const imageKey = warm?.imageKey ?? `${this._id}:${++this._imageCounter}`;
      const { source, transfer } = await workerSource(prepared);
      // A new encode starts its own progress from 0 (the previous one ended at 1).
      this._progress = null;
      const { width, height, timings } = await this._client.request(
        { type: 'encode', modelKey: model.manifest.key, imageKey, source, embeddingCache: embeddingCacheMode(this.embeddingCache) },
        { signal, transfer, onProgress: (detail) => this._onProgress(detail) },
      );
      signal.throwIfAborted();
      this._releaseEncoded();
      const encoded = { imageKey, modelKey: model.manifest.key, width, height };
      this._encoded = encoded;
      this._encodeMs = performance.now() - started;
      this._encodeTimings = timings;
      return encoded;
    },
    onComplete: (encoded) => {
      if (!encoded) return;
      // @lit/task calls this just before it marks the task complete; a microtask later `status`
      // already reads 'ready' in the listeners of image-encode.
      queueMicrotask(() => {
        if (this._encoded !== encoded) return;
        this._emit<ImageEncodeDetail>('image-encode', { width: encoded.width, height: encoded.height, ms: this._encodeMs, timings: this._encodeTimings });
        this._flushPendingDecodes();
        this._paint();
      });
    },
    onError: (error) => {
      this._failPendingDecodes(error);
      this._reportError(error, 'encode-failed');
    },
  });

  private _encoded: EncodedImage | null = null;
  /** An image sent ahead to the worker to be decoded while the model loads. */
  private _warmup: { prepared: PreparedImage; imageKey: string; client: WorkerClient | null } | null = null;

  /**
   * Starts decoding + resizing the image in the worker as soon as it is set and the element is
   * active, so that work overlaps the model download and compilation instead of following it.
   */
  private _warmUpImage() {
    const prepared = this._imageTask.value;
    if (!this._active || !prepared || this._warmup?.prepared === prepared || this._encodeTask.status === TaskStatus.PENDING) return;
    if (this._modelTask.value) return; // the model is ready: the encode starts right away anyway
    const warmup: { prepared: PreparedImage; imageKey: string; client: WorkerClient | null } = { prepared, imageKey: `${this._id}:${++this._imageCounter}`, client: null };
    this._warmup = warmup;
    void resolveBackend(this.backend).then(async (backend) => {
      if (this._warmup !== warmup) return;
      warmup.client = getWorkerClient(backend);
      const { source, transfer } = await workerSource(prepared);
      await warmup.client.request(
        { type: 'prepare-image', imageKey: warmup.imageKey, source, embeddingCache: embeddingCacheMode(this.embeddingCache) },
        { transfer },
      );
    }).catch(() => {
      /* the encode reports image problems */
    });
  }
  private _encodeMs = 0;
  private _encodeTimings: ImageEncodeDetail['timings'];

  // --- lifecycle -----------------------------------------------------------------------------

  // The element's events are typed here, on the class, not on every element through a global
  // HTMLElementEventMap augmentation; `error` and `progress` get their CustomEvent detail instead
  // of the DOM's ErrorEvent / ProgressEvent.
  /** @internal */
  override addEventListener<K extends keyof Sam2SegmenterEventMap>(type: K, listener: (this: Sam2Segmenter, event: Sam2SegmenterEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  override addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: Sam2Segmenter, event: HTMLElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  /** @internal */
  override removeEventListener<K extends keyof Sam2SegmenterEventMap>(type: K, listener: (this: Sam2Segmenter, event: Sam2SegmenterEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  override removeEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: Sam2Segmenter, event: HTMLElementEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }

  override connectedCallback() {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    this._client.addEventListener('crash', this._onCrash);
    this._client.addEventListener('device-lost', this._onDeviceLost);
    // Keys go to the focused host, not into the shadow tree.
    this.addEventListener('keydown', this._onKeyDown);
    if (this.loading === 'eager') this._active = true;
    else this._observeVisibility();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this._client.removeEventListener('crash', this._onCrash);
    this._client.removeEventListener('device-lost', this._onDeviceLost);
    this.removeEventListener('keydown', this._onKeyDown);
    this._intersectionObserver?.disconnect();
    this._intersectionObserver = null;
    this._resizeObserver?.disconnect();
    this._resizeObserver = null;
    this._dprQuery?.removeEventListener('change', this._onDprChange);
    this._abortDecode();
  }

  protected override firstUpdated() {
    this._painter = new OverlayPainter(this._overlay);
    this._resizeObserver = new ResizeObserver(() => this._paint());
    this._resizeObserver.observe(this._frame);
    this._watchDpr();
  }

  protected override willUpdate(changed: PropertyValues<this>) {
    if (changed.has('loading') && this.loading === 'eager') this._active = true;
    this._status = this._computeStatus();
  }

  protected override updated(changed: PropertyValues<this>) {
    this._warmUpImage();
    if (this.getAttribute('status') !== this._status) this.setAttribute('status', this._status);
    const rethreshold = (['threshold', 'maxHoleArea', 'maxSprinkleArea'] as const).some(
      (name) => changed.has(name) && changed.get(name) !== undefined,
    );
    if (rethreshold) void this._rerender('api').catch(() => {});
    this._paint();
  }

  private _observeVisibility() {
    if (this._active || this._intersectionObserver) return;
    this._intersectionObserver = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          this._activate();
        }
      },
      { rootMargin: '200px' },
    );
    this._intersectionObserver.observe(this);
  }

  private _activate() {
    this._active = true;
    this._intersectionObserver?.disconnect();
    this._intersectionObserver = null;
  }

  private _computeStatus(): Sam2Status {
    const model = this._modelTask.status;
    const image = this._imageTask.status;
    const encode = this._encodeTask.status;
    if (model === TaskStatus.ERROR || image === TaskStatus.ERROR || encode === TaskStatus.ERROR) return 'error';
    if (model === TaskStatus.PENDING) return 'loading';
    if (image === TaskStatus.PENDING || encode === TaskStatus.PENDING) return this._modelTask.value ? 'encoding' : 'loading';
    if (this._encoded && encode === TaskStatus.COMPLETE) return this._decoding ? 'decoding' : 'ready';
    return 'idle';
  }

  /** Current state: `idle | loading | encoding | ready | decoding | error` (reflected as an attribute). */
  get status(): Sam2Status {
    return this._computeStatus();
  }

  /** The latest mask result, or null. */
  get result(): MaskResult | null {
    return this._result;
  }

  /** Natural size of the encoded image, or null. */
  get imageSize(): { width: number; height: number } | null {
    return this._encoded ? { width: this._encoded.width, height: this._encoded.height } : null;
  }

  /** A copy of the current prompts (image pixels). */
  get prompts(): Prompts {
    return clonePrompts(this._history.current);
  }

  // --- public methods ------------------------------------------------------------------------

  /** Adds a point in natural-image pixels (label 1 = include, 0 = exclude) and segments. */
  addPoint(x: number, y: number, label: 0 | 1 = 1): Promise<MaskResult | null> {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      return Promise.reject(new Sam2Error('invalid-argument', `addPoint needs finite coordinates, got (${x}, ${y})`));
    }
    this._commit({ points: [...this._history.current.points, { x, y, label: label === 0 ? 0 : 1 }], box: this._history.current.box }, true);
    return this._decode('api');
  }

  /** Sets or removes (null) the box prompt, in natural-image pixels, and segments. */
  setBox(box: PromptBox | null): Promise<MaskResult | null> {
    this._commit({ points: this._history.current.points, box: box ? normalizeBox(box) : null }, false);
    return this._decode('api');
  }

  /** Replaces all prompts and segments. */
  setPrompts(prompts: Partial<Prompts>): Promise<MaskResult | null> {
    this._commit({ points: (prompts.points ?? []).map((p) => ({ x: p.x, y: p.y, label: p.label === 0 ? 0 : 1 })), box: prompts.box ? normalizeBox(prompts.box) : null }, false);
    return this._decode('api');
  }

  /** Steps back through the prompt history. */
  undo(): Promise<MaskResult | null> {
    return this._travel(() => this._history.undo(), 'api');
  }

  /** Re-applies an undone prompt change. */
  redo(): Promise<MaskResult | null> {
    return this._travel(() => this._history.redo(), 'api');
  }

  private _travel(step: () => boolean, source: 'user' | 'api'): Promise<MaskResult | null> {
    if (!step()) return Promise.resolve(this._result);
    // The refinement logits belong to the state we left; start the restored one afresh.
    this._maskInput = null;
    this._selectedIndex = null;
    this._hover.cancel();
    this._preview = null;
    return this._decode(source);
  }

  /** Removes every prompt and the mask (fires `mask-change` with `mask: null`). */
  clear(): void {
    if (hasPrompts(this._history.current)) this._commit({ points: [], box: null }, false);
    void this._decode('api');
  }

  /** Shows another of the decoder's candidate masks (index into `scores`). */
  async selectMask(index: number): Promise<MaskResult | null> {
    const candidates = this._candidates;
    if (!candidates || !this._encoded) throw new Sam2Error('not-ready', 'There is no mask to choose from yet');
    if (!Number.isInteger(index) || index < 0 || index >= candidates.scores.length) {
      throw new Sam2Error('invalid-argument', `selectMask(${index}): there are ${candidates.scores.length} candidates`);
    }
    this._selectedIndex = index;
    return this._rerender('api');
  }

  /**
   * Segments with the given prompts (or the current ones) and resolves with the result once the
   * model and image are ready. Starts loading if the element was waiting (lazy).
   */
  async segment(prompts?: Partial<Prompts>): Promise<MaskResult> {
    this._activate();
    if (prompts) {
      this._commit({ points: (prompts.points ?? []).map((p) => ({ x: p.x, y: p.y, label: p.label === 0 ? 0 : 1 })), box: prompts.box ? normalizeBox(prompts.box) : null }, false);
    }
    const result = await this._decode('api', true);
    if (!result) throw new Sam2Error('aborted', 'A newer prompt change superseded this segmentation');
    return result;
  }

  // --- outputs -------------------------------------------------------------------------------

  /**
   * The current mask as an image file: `kind: 'mask'` is white-on-black at natural size;
   * `kind: 'cutout'` is the image with everything outside the mask transparent. `crop` trims to
   * the mask's bounding box, `feather` softens the cut-out edge (px). Encoded in the worker.
   */
  async toBlob(options: ToBlobOptions = {}): Promise<Blob> {
    const { mask, encoded } = this._requireMask();
    const format = options.type ?? 'image/png';
    if (format !== 'image/png' && format !== 'image/webp') {
      throw new Sam2Error('invalid-argument', `toBlob: type must be image/png or image/webp, not ${String(format)}`);
    }
    return this._client.request({
      type: 'export-image',
      imageKey: encoded.imageKey,
      mask,
      kind: options.kind ?? 'mask',
      format,
      quality: options.quality,
      crop: options.crop ?? false,
      feather: Math.max(0, options.feather ?? 0),
    });
  }

  /**
   * Outer rings and holes of every connected region, in natural-image pixels (flat x,y lists;
   * outer rings clockwise on screen, holes counter-clockwise). `tolerance` (px) simplifies.
   */
  async toPolygons(options: { tolerance?: number } = {}): Promise<Polygon[]> {
    const { mask } = this._requireMask();
    return this._client.request({ type: 'polygons', mask, tolerance: Math.max(0, options.tolerance ?? 0) });
  }

  /** COCO run-length encoding as pycocotools writes it, with COCO `area` and `bbox`. */
  async toCocoRle(): Promise<CocoRleResult> {
    const { mask } = this._requireMask();
    return this._client.request({ type: 'coco-rle', mask });
  }

  private _requireMask() {
    const mask = this._result?.mask;
    const encoded = this._encoded;
    if (!mask || !encoded) throw new Sam2Error('not-ready', 'There is no mask yet: add a prompt first');
    return { mask, encoded };
  }

  private _cleanup(): MaskCleanup | undefined {
    const maxHoleArea = Math.max(0, this.maxHoleArea || 0);
    const maxSprinkleArea = Math.max(0, this.maxSprinkleArea || 0);
    return maxHoleArea || maxSprinkleArea ? { maxHoleArea, maxSprinkleArea } : undefined;
  }

  // --- prompts & decoding --------------------------------------------------------------------

  private _selectedIndex: number | null = null;

  private _commit(next: Prompts, refine: boolean) {
    this._history.push(next);
    this.requestUpdate();
    this._selectedIndex = null;
    this._hover.cancel();
    this._preview = null;
    // Refinement (official predictor): only a click added to the same object reuses the logits.
    if (!refine) this._maskInput = null;
    this._paint();
  }

  /**
   * Runs the decoder for the current prompts. Latest wins: an older decode still in flight is
   * aborted and its result never painted. Resolves null when superseded.
   */
  private _decode(source: 'user' | 'api', rejectIfNotReady = false): Promise<MaskResult | null> {
    this._activate();
    if (!hasPrompts(this._history.current)) {
      this._abortDecode();
      const hadMask = this._result?.mask != null;
      this._setResult(null);
      if (hadMask || source === 'api') this._emitMask(source);
      return Promise.resolve(this._result);
    }
    if (!this._encoded || this._encodeTask.status !== TaskStatus.COMPLETE) {
      // No model will come for a typo'd name: the call fails now instead of waiting for it.
      if (isUnknownModel(this.model)) return Promise.reject(unknownModelError(this.model));
      if (rejectIfNotReady && !this.image && !this.src) {
        return Promise.reject(new Sam2Error('not-ready', 'Set `src` or `image` before segmenting'));
      }
      if (this._encodeTask.status === TaskStatus.ERROR || this._modelTask.status === TaskStatus.ERROR) {
        const error = this._encodeTask.error ?? this._modelTask.error ?? this._imageTask.error;
        if (rejectIfNotReady) return Promise.reject(Sam2Error.from(error, 'not-ready'));
      }
      return new Promise((resolve, reject) => this._pendingDecode.push({ resolve, reject, source }));
    }
    return this._runDecode(source);
  }

  /** Cancels the decode in flight; its early display-size mask goes with it. */
  private _abortDecode() {
    this._decodeController?.abort();
    this._earlyMask = null;
  }

  private _flushPendingDecodes() {
    const pending = this._pendingDecode.splice(0);
    if (!pending.length) return;
    const source = pending.some((p) => p.source === 'user') ? 'user' : 'api';
    this._runDecode(source).then(
      (result) => pending.forEach((p) => p.resolve(result)),
      (error) => pending.forEach((p) => p.reject(error)),
    );
  }

  private _failPendingDecodes(error: unknown) {
    for (const p of this._pendingDecode.splice(0)) p.reject(Sam2Error.from(error, 'not-ready'));
  }

  private async _runDecode(source: 'user' | 'api'): Promise<MaskResult | null> {
    const encoded = this._encoded!;
    this._abortDecode();
    const controller = new AbortController();
    this._decodeController = controller;
    const prompts = clonePrompts(this._history.current);
    this._decoding = true;
    try {
      const result = await this._client.request(
        {
          type: 'decode',
          modelKey: encoded.modelKey,
          imageKey: encoded.imageKey,
          prompts,
          maskInput: this._maskInput,
          threshold: this.threshold,
          maskIndex: this._selectedIndex,
          cleanup: this._cleanup(),
          preview: this._earlyPreviewSize(encoded),
        },
        {
          signal: controller.signal,
          onPartial: (partial) => {
            if (controller.signal.aborted || this._encoded !== encoded) return;
            const { width, height, data } = partial;
            this._earlyMask = { width, height, data };
            this._paint();
          },
        },
      );
      if (controller.signal.aborted || this._encoded !== encoded) return null;
      this._candidates = { logits: result.lowResLogits, scores: result.scores };
      this._maskInput = candidateLogits(result.lowResLogits, result.maskIndex);
      this._setResult({
        mask: { width: result.width, height: result.height, data: result.data },
        score: result.scores[result.maskIndex],
        scores: result.scores,
        maskIndex: result.maskIndex,
        bbox: result.bbox,
        area: result.area,
        prompts,
      });
      this._emitMask(source);
      return this._result;
    } catch (error) {
      if (isAbort(error) || controller.signal.aborted) return null;
      this._reportError(error, 'decode-failed');
      throw Sam2Error.from(error, 'decode-failed');
    } finally {
      if (this._decodeController === controller) {
        this._decodeController = null;
        this._decoding = false;
        if (this._earlyMask) {
          // Aborted or failed after its preview: the preview must not outlive its decode.
          this._earlyMask = null;
          this._paint();
        }
      }
    }
  }

  /** Re-thresholds / switches candidate without running the decoder. */
  private async _rerender(source: 'user' | 'api'): Promise<MaskResult | null> {
    const candidates = this._candidates;
    const encoded = this._encoded;
    const previous = this._result;
    if (!candidates || !encoded || !previous?.mask) return previous;
    const index = this._selectedIndex ?? previous.maskIndex;
    const logits = candidateLogits(candidates.logits, index);
    try {
      const rendered = await this._client.request(
        { type: 'render', logits, width: encoded.width, height: encoded.height, threshold: this.threshold, cleanup: this._cleanup() },
        { transfer: [logits.buffer] },
      );
      if (this._candidates !== candidates) return null;
      this._maskInput = candidateLogits(candidates.logits, index);
      this._setResult({
        ...previous,
        mask: { width: rendered.width, height: rendered.height, data: rendered.data },
        score: candidates.scores[index],
        maskIndex: index,
        bbox: rendered.bbox,
        area: rendered.area,
      });
      this._emitMask(source);
      return this._result;
    } catch (error) {
      this._reportError(error, 'decode-failed');
      throw Sam2Error.from(error, 'decode-failed');
    }
  }

  private _setResult(result: MaskResult | null) {
    this._result = result;
    this._earlyMask = null;
    this.requestUpdate();
    if (!result) {
      this._candidates = null;
      this._maskInput = null;
    }
    this._announce();
    this._paint();
  }

  private _emitMask(source: 'user' | 'api') {
    const result = this._result;
    const detail: MaskChangeDetail = result
      ? { ...result, prompts: clonePrompts(result.prompts), source }
      : { mask: null, score: 0, scores: [], maskIndex: -1, bbox: { ...EMPTY_BOX }, area: 0, prompts: clonePrompts(this._history.current), source };
    this._emit<MaskChangeDetail>('mask-change', detail);
  }

  private _resetForNewImage() {
    this._abortDecode();
    this._releaseWarmup();
    this._releaseEncoded();
    const hadMask = this._result?.mask != null;
    this._history.reset();
    this._hover?.cancel();
    this._preview = null;
    this._selectedIndex = null;
    this._setResult(null);
    if (hadMask) this._emitMask('api');
  }

  private _releaseWarmup() {
    const warmup = this._warmup;
    this._warmup = null;
    if (warmup?.client?.started) void warmup.client.request({ type: 'release-image', imageKey: warmup.imageKey }).catch(() => {});
  }

  private _releaseEncoded() {
    if (!this._encoded) return;
    const { imageKey } = this._encoded;
    this._encoded = null;
    if (this._client.started) void this._client.request({ type: 'release-image', imageKey }).catch(() => {});
  }

  // --- events ------------------------------------------------------------------------------

  private _emit<T>(type: string, detail: T) {
    fire(this, type, detail);
  }

  private _onProgress(detail: ProgressDetail) {
    // The worker computes one monotonic fraction per job; this guard keeps it so across the
    // worker boundary (a job starts by resetting _progress).
    const previous = this._progress;
    if (previous && detail.fraction < previous.fraction) return;
    this._progress = detail;
    this._emit<ProgressDetail>('progress', detail);
  }

  /**
   * Errors already reported: a crash or a lost device fails every request in flight with the SAME
   * error object the client announces, and the page should hear about it once.
   */
  private readonly _reported = new WeakSet<Sam2Error>();

  private _reportError(error: unknown, fallback: Sam2ErrorCode) {
    if (isAbort(error)) return;
    const e = Sam2Error.from(error, fallback);
    if (this._reported.has(e)) return;
    this._reported.add(e);
    // Tasks report errors just before they change status; listeners should see 'error'.
    queueMicrotask(() => this.dispatchEvent(
      new CustomEvent<ErrorDetail>('error', {
        detail: { code: e.code, message: e.message, recoverable: e.recoverable },
        bubbles: false,
        composed: false,
      }),
    ));
  }

  private _announce() {
    const r = this._result;
    if (!r?.mask) {
      this._announcement = '';
      return;
    }
    const pct = ((100 * r.area) / (r.mask.width * r.mask.height)).toFixed(r.area && r.area * 1000 < r.mask.width * r.mask.height ? 1 : 0);
    const n = r.prompts.points.length;
    this._announcement = `Mask: ${pct}% of the image, ${n} point${n === 1 ? '' : 's'}${r.prompts.box ? ', 1 box' : ''}`;
  }

  // --- rendering -----------------------------------------------------------------------------

  private _setDisplay(display: PreparedImage['display'] | null) {
    if (display === this._display) return;
    releaseDisplay(this._display);
    this._display = display;
    this.requestUpdate();
  }

  private _onDprChange = () => {
    this._watchDpr();
    this._paint();
  };

  private _watchDpr() {
    this._dprQuery?.removeEventListener('change', this._onDprChange);
    this._dprQuery = matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    this._dprQuery.addEventListener('change', this._onDprChange);
  }

  /** The displayed image rect in CSS px relative to the frame. */
  private _contentRect(): Rect | null {
    const size = this.imageSize ?? this._displaySize();
    if (!size || !this._frame) return null;
    return containRect({ width: this._frame.clientWidth, height: this._frame.clientHeight }, size.width, size.height);
  }

  private _displaySize(): { width: number; height: number } | null {
    const display = this._display;
    if (!display) return null;
    if ('bitmap' in display) return { width: display.bitmap.width, height: display.bitmap.height };
    const img = this.renderRoot.querySelector<HTMLImageElement>('img.image');
    return img?.naturalWidth ? { width: img.naturalWidth, height: img.naturalHeight } : null;
  }

  private _paint() {
    if (!this._painter || !this._frame) return;
    const started = performance.now();
    this._paintNow();
    // A User Timing entry per overlay paint, for DevTools and the benchmark (PerformanceObserver
    // sees every one); only the latest is kept in the timeline so hovering can't grow it. `detail`
    // says which mask was drawn: the decode's early display-size one, a hover preview, the result.
    performance.clearMeasures('sam2-segmenter:paint');
    performance.measure('sam2-segmenter:paint', { start: started, detail: { mask: this._shownMask().kind } });
  }

  /** What the overlay shows, by precedence: a decode's early mask, a hover preview, the result. */
  private _shownMask(): { mask: BinaryMask | null; kind: 'early' | 'hover' | 'result' | 'none' } {
    if (this._earlyMask) return { mask: this._earlyMask, kind: 'early' };
    if (this._preview) return { mask: this._preview, kind: 'hover' };
    const mask = this._result?.mask ?? null;
    return { mask, kind: mask ? 'result' : 'none' };
  }

  /**
   * The displayed image's size in device pixels: the most detail the overlay can show. Hover
   * previews are computed at this size only.
   */
  private _displayMaskSize(): { width: number; height: number } | null {
    const content = this._contentRect();
    if (!content || content.width <= 0 || content.height <= 0) return null;
    const dpr = window.devicePixelRatio || 1;
    return { width: Math.max(1, Math.round(content.width * dpr)), height: Math.max(1, Math.round(content.height * dpr)) };
  }

  /**
   * A display-size mask sent ahead of the natural-size one, when the image is large enough for
   * the difference to show (≥ 2 MP and ≥ 2× the display): the overlay paints as soon as the
   * decoder is done instead of after a full-size upsample (~100 ms at 48 MP).
   */
  private _earlyPreviewSize(image: { width: number; height: number }): { width: number; height: number } | null {
    const size = this._displayMaskSize();
    const pixels = image.width * image.height;
    if (!size || pixels < 2_000_000 || pixels < 2 * size.width * size.height) return null;
    return size;
  }

  private _paintNow() {
    if (!this._painter || !this._frame) return;
    const width = this._frame.clientWidth;
    const height = this._frame.clientHeight;
    const dpr = this._painter.resize(width, height, window.devicePixelRatio || 1);
    const content = this._contentRect();
    const size = this.imageSize ?? this._displaySize();
    if (!content || !size) {
      this._painter.paint({ content: { x: 0, y: 0, width: 0, height: 0 }, imageWidth: 1, imageHeight: 1, mask: null, points: [], box: null }, this._style(), dpr);
      return;
    }
    this._painter.paint(
      {
        content,
        imageWidth: size.width,
        imageHeight: size.height,
        mask: this._shownMask().mask,
        points: this._history.current.points,
        box: this._history.current.box,
        draftBox: this._drag?.box ?? null,
        press: this._pressRing(),
        cursor: this._cursor,
      },
      this._style(),
      dpr,
    );
    if (this._displayCanvas && this._display && 'bitmap' in this._display) {
      const canvas = this._displayCanvas;
      const bitmap = this._display.bitmap;
      if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
        canvas.width = bitmap.width;
        canvas.height = bitmap.height;
        canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
      }
    }
  }

  /** The long-press ring of a touch press still undecided (no drag, not yet negative). */
  private _pressRing(): { x: number; y: number; progress: number } | null {
    const drag = this._drag;
    if (!drag?.longPress || drag.box) return null;
    const progress = Math.min(1, (performance.now() - drag.startedAt) / LONG_PRESS_MS);
    return { x: drag.start.x, y: drag.start.y, progress };
  }

  private _style(): OverlayStyle {
    const css = getComputedStyle(this);
    const read = (name: string) => css.getPropertyValue(name).trim();
    const px = (value: string, fallback: number) => (Number.isFinite(parseFloat(value)) ? parseFloat(value) : fallback);
    return {
      maskColor: parseCssColor(read('--sam2-mask-color'), [30, 144, 255]),
      maskOpacity: px(read('--sam2-mask-opacity'), 0.45),
      outlineColor: parseCssColor(read('--sam2-outline-color'), [255, 255, 255]),
      outlineWidth: px(read('--sam2-outline-width'), 2),
      positiveColor: read('--sam2-point-positive-color') || '#16a34a',
      negativeColor: read('--sam2-point-negative-color') || '#dc2626',
      boxColor: read('--sam2-box-color') || '#facc15',
    };
  }

  // --- pointer & keyboard --------------------------------------------------------------------

  private _toImage(event: { clientX: number; clientY: number }) {
    const size = this.imageSize;
    const content = this._contentRect();
    if (!size || !content) return null;
    const frame = this._frame.getBoundingClientRect();
    return clientToImage(event.clientX, event.clientY, { ...content, x: content.x + frame.x, y: content.y + frame.y }, size.width, size.height);
  }

  /** Index of the point under the pointer (within a 24 px target), or -1. */
  private _pointAt(event: { clientX: number; clientY: number }): number {
    const size = this.imageSize;
    const content = this._contentRect();
    if (!size || !content) return -1;
    const frame = this._frame.getBoundingClientRect();
    let best = -1;
    let bestDistance = POINT_HIT_RADIUS;
    this._history.current.points.forEach((point, i) => {
      const x = frame.x + content.x + (point.x / size.width) * content.width;
      const y = frame.y + content.y + (point.y / size.height) * content.height;
      const distance = Math.hypot(event.clientX - x, event.clientY - y);
      if (distance <= bestDistance) {
        best = i;
        bestDistance = distance;
      }
    });
    return best;
  }

  /** Pointers currently down on the frame: a second one means a page gesture (pinch), not ours. */
  private readonly _activePointers = new Set<number>();

  private _onPointerDown = (event: PointerEvent) => {
    this._activate();
    this._activePointers.add(event.pointerId);
    if (this._activePointers.size > 1) {
      this._cancelDrag();
      return;
    }
    if (this.disabled || (event.button !== 0 && event.button !== 2)) return;
    const start = this._toImage(event);
    if (!start) return;
    event.preventDefault();
    this.focus({ preventScroll: true });
    this._cursor = null;
    try {
      // Keeps the drag when the pointer leaves the frame; fails harmlessly for synthetic events.
      this._frame.setPointerCapture(event.pointerId);
    } catch {
      /* no active pointer with that id */
    }
    const drag: Drag = {
      pointerId: event.pointerId,
      startX: event.clientX,
      startY: event.clientY,
      start,
      box: null,
      negative: event.button === 2 || event.shiftKey || event.altKey,
      longPress: null,
      startedAt: performance.now(),
    };
    // Touch has no modifier keys: a long press places a negative point.
    if (event.pointerType === 'touch') {
      drag.longPress = setTimeout(() => {
        drag.longPress = null;
        if (this._drag !== drag || drag.box) return;
        drag.negative = true;
        navigator.vibrate?.(15);
        this._finishDrag(drag, event);
      }, LONG_PRESS_MS);
      // A ring fills around the finger while the press lasts: what a long press will do is visible.
      const tick = () => {
        if (this._drag !== drag || !drag.longPress) return;
        this._paint();
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }
    this._drag = drag;
  };

  private _onPointerMove = (event: PointerEvent) => {
    const drag = this._drag;
    if (!drag) {
      if (this.hoverPreview && !this.disabled && event.pointerType !== 'touch' && this._activePointers.size === 0) this._hoverAt(event);
      return;
    }
    if (drag.pointerId !== event.pointerId) return;
    if (!drag.box && Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) < DRAG_THRESHOLD) return;
    const size = this.imageSize;
    const content = this._contentRect();
    if (!size || !content) return;
    if (drag.longPress) clearTimeout(drag.longPress);
    drag.longPress = null;
    const frame = this._frame.getBoundingClientRect();
    const x = ((event.clientX - frame.x - content.x) / content.width) * size.width;
    const y = ((event.clientY - frame.y - content.y) / content.height) * size.height;
    drag.box = { x1: drag.start.x, y1: drag.start.y, x2: clamp(x, 0, size.width), y2: clamp(y, 0, size.height) };
    this._paint();
  };

  private _onPointerUp = (event: PointerEvent) => {
    this._activePointers.delete(event.pointerId);
    const drag = this._drag;
    if (!drag || drag.pointerId !== event.pointerId) return;
    this._finishDrag(drag, event);
  };

  /** A press ends as a box (dragged), a point removal (pressed on a point) or a new point. */
  private _finishDrag(drag: Drag, at: { clientX: number; clientY: number }) {
    if (drag.longPress) clearTimeout(drag.longPress);
    this._drag = null;
    const { points, box } = this._history.current;
    if (drag.box) {
      const next = normalizeBox(drag.box);
      // A box smaller than a pixel is a slip, not a prompt.
      if (next.x2 - next.x1 < 1 || next.y2 - next.y1 < 1) return this._paint();
      this._commit({ points, box: next }, false);
    } else {
      const hit = this._pointAt(at);
      if (hit >= 0) this._commit({ points: points.filter((_, i) => i !== hit), box }, false);
      else this._commit({ points: [...points, { ...drag.start, label: drag.negative ? 0 : 1 }], box }, true);
    }
    void this._decode('user').catch(() => {});
  }

  private _cancelDrag() {
    if (this._drag?.longPress) clearTimeout(this._drag.longPress);
    this._drag = null;
    this._paint();
  }

  private _onPointerCancel = (event: PointerEvent) => {
    this._activePointers.delete(event.pointerId);
    this._cancelDrag();
  };

  private _onPointerLeave = (event: PointerEvent) => {
    if (event.pointerType === 'touch') return;
    this._hover.cancel();
    if (this._preview) {
      this._preview = null;
      this._paint();
    }
  };

  private _hoverAt(event: PointerEvent) {
    if (!this._encoded || this._status === 'error') return;
    const point = this._toImage(event);
    if (!point || this._pointAt(event) >= 0) {
      this._hover.cancel();
      if (this._preview) {
        this._preview = null;
        this._paint();
      }
      return;
    }
    this._hover.schedule(point);
  }

  private _onContextMenu = (event: Event) => {
    // Right-click is a negative point, not the browser menu.
    if (this.imageSize) event.preventDefault();
  };

  private _onKeyDown = (event: KeyboardEvent) => {
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === 'z') {
      event.preventDefault();
      void (event.shiftKey ? this.redo() : this.undo()).catch(() => {});
      return;
    }
    if (event.key === 'Escape') {
      if (hasPrompts(this._history.current) || this._result) {
        event.preventDefault();
        this.clear();
      }
      return;
    }
    // Enter on a toolbar button (or slotted content) is that control's, not a new point.
    if (this.disabled || event.composedPath()[0] !== this) return;
    const size = this.imageSize;
    if (!size) return;
    const arrows: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (event.key in arrows) {
      event.preventDefault();
      const step = (event.shiftKey ? 0.1 : 0.02) * Math.max(size.width, size.height);
      const cursor = this._cursor ?? { x: size.width / 2, y: size.height / 2 };
      const [dx, dy] = arrows[event.key];
      this._cursor = { x: clamp(cursor.x + dx * step, 0, size.width - 1), y: clamp(cursor.y + dy * step, 0, size.height - 1) };
      this._paint();
      return;
    }
    if (event.key === 'Enter') {
      event.preventDefault();
      const cursor = this._cursor ?? { x: size.width / 2, y: size.height / 2 };
      this._cursor = cursor;
      this._commit({ points: [...this._history.current.points, { ...cursor, label: event.shiftKey ? 0 : 1 }], box: this._history.current.box }, true);
      void this._decode('user').catch(() => {});
      return;
    }
    if (event.key === 'Delete' || event.key === 'Backspace') {
      if (!this._history.current.points.length) return;
      event.preventDefault();
      this._commit({ points: this._history.current.points.slice(0, -1), box: this._history.current.box }, false);
      void this._decode('user').catch(() => {});
    }
  };

  // --- template ------------------------------------------------------------------------------

  protected override render() {
    const display = this._display;
    const showProgress = this._status === 'loading' || this._status === 'encoding';
    const fraction = this._progress?.fraction ?? 0;
    const label = this.alt || 'Image to segment';
    const statusText = this._statusText();
    const size = this.imageSize ?? this._displaySize();
    return html`
      <div
        class=${size ? 'frame' : 'frame empty'}
        style=${size ? `--_aspect:${size.width} / ${size.height}` : ''}
        part="base"
        role="application"
        aria-label=${`${label}. Click to select an object; Shift-click to exclude; arrow keys and Enter to place points.`}
        aria-busy=${showProgress ? 'true' : 'false'}
        @pointerdown=${this._onPointerDown}
        @pointermove=${this._onPointerMove}
        @pointerup=${this._onPointerUp}
        @pointercancel=${this._onPointerCancel}
        @pointerleave=${this._onPointerLeave}
        @contextmenu=${this._onContextMenu}
      >
        ${display
          ? 'bitmap' in display
            ? html`<canvas class="image" part="image" role="img" aria-label=${label}></canvas>`
            : html`<img class="image" part="image" src=${display.url} alt=${label} crossorigin="anonymous" draggable="false" @load=${() => this.requestUpdate()} />`
          : html`<slot name="placeholder"><div class="placeholder">${this.src || this.image ? '' : 'No image'}</div></slot>`}
        <canvas class="overlay" part="canvas" aria-hidden="true"></canvas>
        ${showProgress
          ? html`<slot name="progress"
              ><div class="progress" part="progress" role="progressbar" aria-label="Loading" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.round(fraction * 100)} style=${`--sam2-progress:${fraction}`}><div></div></div
            ></slot>`
          : nothing}
        <div class="sr-only" role="status" aria-live="polite">${statusText}</div>
      </div>
      ${this._renderToolbar()}
    `;
  }

  private _renderToolbar() {
    const result = this._result;
    const show = !!result?.mask || hasPrompts(this._history.current);
    const scores = result?.mask ? result.scores : [];
    return html`<div class="toolbar" part="toolbar" ?hidden=${!show}>
      <slot name="toolbar">
        ${scores.length > 1
          ? html`<div class="candidates" part="candidates" role="radiogroup" aria-label="Mask candidates">
              ${scores.map(
                (score, i) =>
                  html`<button
                    type="button"
                    role="radio"
                    aria-checked=${i === result!.maskIndex ? 'true' : 'false'}
                    title=${`Candidate ${i + 1}: predicted IoU ${(score * 100).toFixed(0)}%`}
                    aria-label=${`Candidate ${i + 1}, predicted IoU ${(score * 100).toFixed(0)}%`}
                    @click=${() => void this.selectMask(i).catch(() => {})}
                  >
                    ${i + 1}
                  </button>`,
              )}
            </div>`
          : nothing}
        <button type="button" class="tool" aria-label="Undo" title="Undo (Ctrl+Z)" ?disabled=${!this._history.canUndo} @click=${() => void this.undo().catch(() => {})}>${UNDO_ICON}</button>
        <button type="button" class="tool" aria-label="Redo" title="Redo (Shift+Ctrl+Z)" ?disabled=${!this._history.canRedo} @click=${() => void this.redo().catch(() => {})}>${REDO_ICON}</button>
        <button type="button" class="tool" aria-label="Clear" title="Clear (Esc)" @click=${() => this.clear()}>${CLEAR_ICON}</button>
      </slot>
    </div>`;
  }

  private _statusText(): string {
    switch (this._status) {
      case 'loading': {
        const p = this._progress;
        return p?.phase === 'download' ? `Loading model ${Math.round(p.fraction * 100)}%` : 'Loading model';
      }
      case 'encoding':
        return 'Analysing image';
      case 'error':
        return 'Error';
      case 'ready':
      case 'decoding':
        return this._announcement || 'Ready';
      default:
        return '';
    }
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

function candidateLogits(all: Float32Array, index: number): Float32Array {
  const plane = LOW_RES_SIZE * LOW_RES_SIZE;
  return all.slice(index * plane, (index + 1) * plane);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** State-change events bubble and cross shadow roots, so a page can listen on any ancestor. */
function fire<T>(target: EventTarget, type: string, detail: T) {
  target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
}

export type { BinaryMask };


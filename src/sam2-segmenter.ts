import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { Sam2Error } from './errors.js';
import type { MaskResult, SegmentObjectInfo } from './events.js';
import type { PromptBox, Prompts } from './geometry/prompts.js';
import { checkBox, checkPoint, checkPrompts } from './geometry/validate.js';
import type { ImageInput } from './image-input.js';
import type { ModelManifest } from './model/manifest.js';
import type { ModelPrecision } from './model/precision.js';
import { cacheNameOf, getDefaultModelBase, setDefaultModelBase } from './model/presets.js';
import type { CachedModel } from './model/model-cache.js';
import type { BinaryMask, MaskEdges } from './mask/types.js';
import type { Polygon } from './mask/polygons.js';
import type { BackendPreference, CocoAnnotations, CocoRleResult, EmbeddingCacheMode } from './worker/protocol.js';
import { anyWorkerClient } from './client/worker-client.js';
import { getBasePath, setBasePath } from './client/assets.js';
import { Emitter } from './controllers/emitter.js';
import { EngineController, SAM2_STATUSES, type Sam2Status } from './controllers/engine.js';
import { Exporter, type CocoAnnotationsOptions, type ToBlobOptions } from './controllers/exports.js';
import { GesturesController } from './controllers/gestures.js';
import type { LoadingMode } from './controllers/host.js';
import { HoverController } from './controllers/hover.js';
import { ImageFrame } from './controllers/image-frame.js';
import { OverlayController } from './controllers/overlay.js';
import * as changes from './controllers/prompt-changes.js';
import { clonePrompts } from './controllers/prompt-history.js';
import { SegmentationController } from './controllers/segmentation.js';
import { StatesController } from './controllers/states.js';
import { VisibilityController } from './controllers/visibility.js';
import { cssVars } from './render/css-vars.js';
import { errorPart, errorTitle, resolveStrings, statusPart, type Sam2Strings } from './render/states.js';
import { imageView, objectBar, statusText, toolbar } from './render/templates.js';
import { styles } from './sam2-segmenter.styles.js';
import { TypedEventsElement } from './typed-events.js';

export { SAM2_STATUSES };
export type { Sam2Status, LoadingMode, ToBlobOptions, CocoAnnotationsOptions, MaskEdges, Sam2Strings };
export { MASK_EDGES } from './mask/types.js';
export { BACKENDS } from './backends.js';
export const LOADING_MODES = ['lazy', 'eager'] as const;

const ignore = () => {};

/**
 * `<sam2-segmenter>`: click to cut out an object, with Segment Anything 2 running in the
 * visitor's browser (Web Worker + onnxruntime-web). Nothing leaves the visitor's machine.
 *
 * Every image has one or more objects, exactly one active; prompts, undo/redo history,
 * candidates and the mask belong to an object. Without any object call the element works on
 * object 1. With `multiple`, an object bar and the keys `n` (new object) and `1`-`9` (activate)
 * let the visitor label several objects.
 *
 * Method calls and clicks made before the image is ready are kept (clicks are drawn hollow) and
 * applied once it is; coordinates are checked against the image's natural size then (a point
 * outside the image rejects with `invalid-argument`). Calls that can't be served reject at once:
 * `not-ready` without an image or after the model failed, the image's own error after it failed.
 * A call superseded by a newer one resolves `null` (`segment()` rejects `aborted`).
 *
 * @summary Segment Anything 2 image segmentation as a drop-in element.
 *
 * @customElement sam2-segmenter
 *
 * @fires {CustomEvent<ProgressDetail>} progress - `{phase: 'download' | 'compile' | 'encode', loaded, total, fraction, phaseFraction}` while the model downloads/compiles and the image encodes: `fraction` is the whole job's (a model load, or one image's encode), never decreases within it and ends at 1.
 * @fires {CustomEvent<ModelLoadDetail>} model-load - `{model, source: 'network' | 'cache', backend, threads, precision, decoderPrecision, bytes, timings}` when the model is ready; `timings` (ms, in the worker): `{fetch, runtime, sessions, encoderSession, decoderSession, total}`: download or cache read incl. checksums, the wait for onnxruntime's start beyond the fetch, session creation (each session); the phases follow one another, so `fetch + runtime + sessions <= total`. A load answered from the worker's memory reports 0 phases.
 * @fires {CustomEvent<ImageEncodeDetail>} image-encode - `{width, height, ms, timings}` when the image's embeddings are ready; `timings` (ms, in the worker): `{decode, preprocess, encoder, gpuWait}`; on WebGPU `encoder` lasts until the GPU finished (`gpuWait`: the part after `run()` returned), and the embeddings' copy to the CPU (for the caches) follows the event.
 * @fires {CustomEvent<MaskChangeDetail>} mask-change - `{mask, score, scores, maskIndex, bbox, area, prompts, objectId, source}` every time an object's mask changes (`mask` is null after clear()).
 * @fires {CustomEvent<ObjectsChangeDetail>} objects-change - `{objects, activeObject}` when objects are added, removed or activated (once per call).
 * @fires {CustomEvent<ErrorDetail>} error - `{code, message, recoverable}`; does not bubble. The element stays usable.
 *
 * @csspart base - The frame holding the image and overlay.
 * @csspart image - The displayed image.
 * @csspart canvas - The overlay canvas (masks, outline, prompts).
 * @csspart status - While loading: the status text ("Downloading model… 42 %", "Preparing…", "Analysing image…") over the image, with the progress bar; hidden when ready.
 * @csspart progress - The progress bar inside the status: the download/compile fraction, then during the encode a fill over the usual encode time (or a sweep when none is known yet).
 * @csspart error - Over the element when the model or image could not be loaded (or the image analysed): what failed, the error's message and a Retry button. `data-code` holds the error code.
 * @csspart toolbar - The overlay toolbar (candidates, undo, redo, clear), shown once there are prompts.
 * @csspart candidates - The candidate-mask chooser inside the toolbar.
 * @csspart objects - With `multiple`: the object bar (a new-object button, one chip per object).
 *
 * @slot placeholder - Shown before an image is set.
 * @slot progress - Replaces the default status (text and progress bar) while loading.
 * @slot error - Replaces the default error content (message and Retry button); call `retry()` from your own button.
 * @slot toolbar - Replaces the default toolbar.
 *
 * @cssprop [--sam2-mask-color=#1e90ff] - Mask fill colour (of object 1).
 * @cssprop [--sam2-object-colors=var(--sam2-mask-color), #f97316, #22c55e, #e11d48, #a855f7, #eab308, #14b8a6, #ec4899, #84cc16] - Colours of objects 1, 2, 3, ... (a comma-separated list, cycling).
 * @cssprop [--sam2-mask-opacity=0.45] - Mask fill opacity.
 * @cssprop [--sam2-outline-color=#ffffff] - Outline colour of the active object's mask.
 * @cssprop [--sam2-outline-width=2px] - Mask outline width.
 * @cssprop [--sam2-point-positive-color=#16a34a] - Positive point colour.
 * @cssprop [--sam2-point-negative-color=#dc2626] - Negative point colour.
 * @cssprop [--sam2-box-color=#facc15] - Box prompt colour.
 * @cssprop [--sam2-accent-color=#2563eb] - Progress bar, focus ring and Retry button.
 * @cssprop [--sam2-error-color=#dc2626] - The error message's accent.
 * @cssprop [--sam2-touch-action=pinch-zoom] - `touch-action` of the image area (one-finger drags draw boxes; pinch stays the page's).
 *
 * @example
 * ```html
 * <script type="module" src="https://cdn.jsdelivr.net/npm/sam2-segmenter@0.1.0/cdn/sam2-segmenter.js"></script>
 * <sam2-segmenter model="tiny" src="photo.jpg" alt="A photo"></sam2-segmenter>
 * <script>
 *   document.querySelector('sam2-segmenter').addEventListener('mask-change', (e) => {
 *     console.log(e.detail.area, e.detail.bbox);
 *   });
 * </script>
 * ```
 */
export class Sam2Segmenter extends TypedEventsElement {
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

  // A new image invalidates prompts and masks at once (not at the next render), so prompts set
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

  /** Several objects per image in the UI: the object bar (`part="objects"`) and the keys `n` and `1`-`9`. */
  @property({ type: Boolean, reflect: true }) multiple = false;

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
   * Where the mask's edge is placed at the image's natural size: `model` (default: exactly SAM
   * 2's upsampled 256x256 prediction) | `image`: snapped to the image's own colour edges within a
   * narrow band (2 cells of the 256 grid) around the model's edge, in the worker; nothing far from
   * the model's edge changes. The overlay, `mask-change` (`area`, `bbox`) and every export see the
   * same mask; `toBlob({kind: 'cutout', soft: true})` uses its anti-aliased alpha. Changing it
   * re-renders the objects' masks without the encoder or the decoder. Costs ~15-50 ms a mask at
   * 1 MP, ~100-150 ms at 12 MP (README "Mask edges"). Other values mean `model`.
   */
  @property() edges: MaskEdges = 'model';

  /**
   * Where image embeddings are kept so that returning to an image skips the encoder:
   * `disk` (default) in memory and in the Origin Private File System, keyed by model and a hash
   * of the image's bytes, so it survives reloads (~17 MB per image, the 16 most recent kept);
   * `memory` only for this page's life (nothing derived from the image is stored, e.g. for
   * private photos); `none` encodes every time. `clearCache()` removes stored embeddings too.
   */
  @property({ attribute: 'embedding-cache' }) embeddingCache: EmbeddingCacheMode = 'disk';

  /** Texts shown and announced (status, error, toolbar, live region): a partial table over `DEFAULT_STRINGS`, e.g. `{retry: 'Erneut versuchen'}`. */
  @property({ attribute: false }) strings: Partial<Sam2Strings> = {};
  @state() private _announcement = '';
  /** `status` as of this update (taken before the Tasks start their runs of this update). */
  @state() private _status: Sam2Status = 'idle';

  // --- controllers (each owns one job; see src/controllers/) --------------------------------

  private readonly _emitter = new Emitter(this);
  private readonly _visibility = new VisibilityController(this);
  private readonly _engine: EngineController = new EngineController(this, this._emitter, this._visibility, {
    ready: () => this._segmentation.ready(),
    failed: (error) => this._segmentation.failed(error),
    lost: (reason) => this._segmentation.lost(reason),
  });
  private readonly _frame = new ImageFrame(this, () => this._engine.imageSize);
  private readonly _segmentation: SegmentationController = new SegmentationController(this, this._engine, this._frame, this._emitter, {
    activate: () => this._visibility.activate(),
    promptsChanged: () => this._hover?.clear(),
    paint: () => this._overlay?.requestPaint(),
    announce: (text) => (this._announcement = text),
  });
  private readonly _hover = new HoverController(this, this._engine, this._segmentation, this._frame, () => this._overlay?.requestPaint());
  private readonly _gestures = new GesturesController(this, this._engine, this._segmentation, this._hover, this._frame, {
    activate: () => this._visibility.activate(),
    paint: () => this._overlay?.requestPaint(),
  });
  private readonly _overlay: OverlayController = new OverlayController(this, this._frame, this._engine, this._segmentation, this._gestures, this._hover);
  private readonly _exporter = new Exporter(this._engine, this._segmentation);
  private readonly _states = new StatesController(this, this._engine, this._segmentation);

  // --- state ---------------------------------------------------------------------------------

  /** Current state: `idle | loading | encoding | ready | decoding | error` (reflected as an attribute). */
  get status(): Sam2Status {
    return this._engine.status(this._segmentation.decoding);
  }

  /** The active object's latest mask result, or null. */
  get result(): MaskResult | null {
    return this._segmentation.active.result;
  }

  /** Natural size of the encoded image, or null. */
  get imageSize(): { width: number; height: number } | null {
    return this._engine.encoded ? { width: this._engine.encoded.width, height: this._engine.encoded.height } : null;
  }

  /** A copy of the active object's prompts (image pixels), including those waiting for the image. */
  get prompts(): Prompts {
    return clonePrompts(this._segmentation.currentPrompts());
  }

  /** The image's objects in id order: `{id, prompts, mask, bbox, area, score}` (mask null when empty). */
  get objects(): SegmentObjectInfo[] {
    return this._segmentation.infos();
  }

  /** Id of the active object (the one prompts, undo/redo, clear and exports act on). Setting an unknown id changes nothing. */
  get activeObject(): number {
    return this._segmentation.active.id;
  }
  set activeObject(id: number) {
    this._segmentation.activate(id);
  }

  // --- methods -------------------------------------------------------------------------------

  /** Adds a point in natural-image pixels (label 1 = include, 0 = exclude) to the active object and segments. */
  addPoint(x: number, y: number, label: 0 | 1 = 1): Promise<MaskResult | null> {
    return this._segmentation.change(() => changes.addPoint(checkPoint(x, y, label, this.imageSize), 'api'));
  }

  /** Sets or removes (null) the active object's box prompt, in natural-image pixels, and segments. */
  setBox(box: PromptBox | null): Promise<MaskResult | null> {
    return this._segmentation.change(() => changes.setBox(checkBox(box, this.imageSize), 'api'));
  }

  /** Replaces the active object's prompts and segments. */
  setPrompts(prompts: Partial<Prompts>): Promise<MaskResult | null> {
    return this._segmentation.change(() => changes.setPrompts(checkPrompts(prompts, this.imageSize), 'api'));
  }

  /** Steps back through the active object's prompt history. */
  undo(): Promise<MaskResult | null> {
    return this._segmentation.undo('api');
  }

  /** Re-applies an undone prompt change of the active object. */
  redo(): Promise<MaskResult | null> {
    return this._segmentation.redo('api');
  }

  /** Removes the active object's prompts and mask (fires `mask-change` with `mask: null`). */
  clear(): void {
    this._segmentation.clear('api');
  }

  /** Shows another of the decoder's candidate masks for the active object (index into `scores`). */
  selectMask(index: number): Promise<MaskResult | null> {
    return this._segmentation.selectMask(index);
  }

  /**
   * Segments the active object with the given prompts (or its current ones) and resolves with
   * the result once the model and image are ready. Starts loading if the element was waiting (lazy).
   */
  async segment(prompts?: Partial<Prompts>): Promise<MaskResult> {
    const result = await this._segmentation.change(() =>
      prompts ? changes.setPrompts(checkPrompts(prompts, this.imageSize, 'segment'), 'api', 'segment') : changes.keepPrompts('api'),
    );
    if (!result) throw new Sam2Error('aborted', 'A newer prompt change or image superseded this segmentation');
    return result;
  }

  /** Starts a new empty object, makes it active and returns its id (1, 2, 3, ...; never reused for the same image). */
  addObject(): number {
    return this._segmentation.addObject();
  }

  /** Removes an object (the highest remaining id becomes active; removing the last leaves a new empty one). */
  removeObject(id: number): void {
    this._segmentation.removeObject(id);
  }

  /** Runs the failed steps again (model, image, encode; a given-up worker too): resolves when done, rejects with a new error. */
  retry(): Promise<void> {
    return this._states.retry();
  }

  // --- outputs -------------------------------------------------------------------------------

  /**
   * An object's mask as an image file (`object`, default the active one): `kind: 'mask'` is
   * white-on-black at natural size; `kind: 'cutout'` is the image with everything outside the mask
   * transparent; `kind: 'labels'` is every object at once: a greyscale PNG without alpha whose
   * pixel value is the object id (0 = none; 16-bit when an id exceeds 255), overlaps going to the
   * object with the highest mask logit there. `crop` trims to the mask's bounding box, `feather`
   * softens the cut-out edge (px), `soft: true` gives the cut-out an anti-aliased alpha (the mask's
   * probability across its edge; with `edges="image"` the refinement's). Encoded in the worker
   * from what it keeps: no mask is sent.
   */
  toBlob(options: ToBlobOptions = {}): Promise<Blob> {
    return this._exporter.toBlob(options);
  }

  /**
   * Outer rings and holes of every connected region of an object's mask, in natural-image pixels
   * (flat x,y lists; outer rings clockwise on screen, holes counter-clockwise). `tolerance` (px) simplifies.
   */
  toPolygons(options: { tolerance?: number; object?: number } = {}): Promise<Polygon[]> {
    return this._exporter.toPolygons(options);
  }

  /** An object's mask in COCO run-length encoding as pycocotools writes it, with COCO `area` and `bbox`. */
  toCocoRle(options: { object?: number } = {}): Promise<CocoRleResult> {
    return this._exporter.toCocoRle(options);
  }

  /**
   * COCO instance annotations, one per object with a mask (`id` = object id, `iscrowd: 0`, RLE
   * `segmentation`, `area`, `bbox`), ready for a COCO file's `annotations` (see README).
   */
  toCocoAnnotations(options: CocoAnnotationsOptions = {}): Promise<CocoAnnotations> {
    return this._exporter.toCocoAnnotations(options);
  }

  // --- lifecycle -----------------------------------------------------------------------------

  override connectedCallback() {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
  }

  protected override willUpdate() {
    this._status = this.status;
  }

  protected override updated(changed: PropertyValues<this>) {
    if (this.getAttribute('status') !== this._status) this.setAttribute('status', this._status);
    const rethreshold = (['threshold', 'maxHoleArea', 'maxSprinkleArea', 'edges'] as const).some((name) => changed.has(name) && changed.get(name) !== undefined);
    if (rethreshold) this._segmentation.rethreshold();
  }

  private _resetForNewImage() {
    // Before the first render the controllers are still being constructed.
    this._segmentation?.resetForNewImage();
    this._engine?.resetForNewImage();
  }

  // --- template ------------------------------------------------------------------------------

  protected override render() {
    const display = this._engine.display;
    const status = this._status;
    const strings = resolveStrings(this.strings);
    const failure = this._states.failure(status);
    const label = this.alt || strings.imageLabel;
    const size = this._engine.imageSize;
    const active = this._segmentation.active;
    const prompts = this._segmentation.currentPrompts();
    return html`
      <div
        class=${size ? 'frame' : 'frame empty'}
        ${cssVars({ '--_aspect': size ? `${size.width} / ${size.height}` : null })}
        part="base"
        role="application"
        aria-label=${`${label}. ${strings.instructions}`}
        aria-busy=${status === 'loading' || status === 'encoding' ? 'true' : 'false'}
        @pointerdown=${this._gestures.onPointerDown}
        @pointermove=${this._gestures.onPointerMove}
        @pointerup=${this._gestures.onPointerUp}
        @pointercancel=${this._gestures.onPointerCancel}
        @pointerleave=${this._gestures.onPointerLeave}
        @contextmenu=${this._gestures.onContextMenu}
      >
        ${imageView(display, label, this.src || this.image ? '' : strings.noImage, () => this.requestUpdate())}
        <canvas class="overlay" part="canvas" aria-hidden="true"></canvas>
        ${statusPart(strings, status, this._engine.progress, this._states.loading(status))}
        <div class="sr-only" role="status" aria-live="polite">${statusText(strings, status, this._engine.progress, this._announcement, failure && errorTitle(strings, failure.step))}</div>
      </div>
      ${this.multiple
        ? objectBar({
            objects: this._segmentation.infos(),
            active: active.id,
            colorOf: (id) => this._overlay.cssColorOf(id),
            onAdd: () => this.addObject(),
            onActivate: (id) => (this.activeObject = id),
            onRemove: (id) => this.removeObject(id),
          }, strings)
        : nothing}
      ${toolbar({
        show: !!active.result?.mask || prompts.points.length > 0 || prompts.box !== null,
        result: active.result,
        canUndo: active.history.canUndo,
        canRedo: active.history.canRedo,
        onSelect: (i) => void this.selectMask(i).catch(ignore),
        onUndo: () => void this.undo().catch(ignore),
        onRedo: () => void this.redo().catch(ignore),
        onClear: () => this.clear(),
      }, strings)}
      ${errorPart(strings, failure, () => void this.retry().catch(ignore))}
    `;
  }
}

export type { BinaryMask };

/**
 * Segmentation: the objects of the image and their prompts, the decodes that turn prompts into
 * masks (latest wins, per object), the queue of changes made before the image is ready, and the
 * `mask-change` / `objects-change` events.
 *
 * Changes made before the image is ready (method calls, clicks on the shown image) are kept in
 * order, drawn as pending, and applied when the encode is done: each is checked against the
 * image's natural size then, and every object they touched is decoded once. Calls that can never
 * be served are refused at once: no image (`not-ready`), a failed model (`not-ready`, its error as
 * the cause), a failed image (its own error).
 */
import type { ReactiveController } from 'lit';
import { Sam2Error, isAbort } from '../errors.js';
import type { ChangeSource, MaskChangeDetail, MaskResult, SegmentObjectInfo } from '../events.js';
import type { Prompts } from '../geometry/prompts.js';
import type { BinaryMask } from '../mask/types.js';
import { resolveStrings } from '../render/strings.js';
import { ChangeQueue, type PromptChange } from './change-queue.js';
import type { Waiter } from './decode-lane.js';
import type { Emitter } from './emitter.js';
import type { EngineController } from './engine.js';
import type { SegmenterHost } from './host.js';
import type { ImageFrame } from './image-frame.js';
import { ObjectSet, type SegmentObject } from './objects.js';
import { ObjectRequests } from './object-requests.js';
import { clonePrompts } from './prompt-history.js';

export interface SegmentationHooks {
  /** A call or gesture wants the model (lazy loading starts). */
  activate(): void;
  /** The prompts or the active object changed: a hover preview no longer applies. */
  promptsChanged(): void;
  paint(): void;
  announce(text: string): void;
}

const EMPTY: Prompts = { points: [], box: null };
const EMPTY_BBOX = { x: 0, y: 0, width: 0, height: 0 };

export class SegmentationController implements ReactiveController {
  readonly objects = new ObjectSet();
  /** The decode in flight's display-size mask, painted until its natural-size result arrives. */
  early: { objectId: number; mask: BinaryMask } | null = null;
  /** Where every request to the worker about an object is built. */
  readonly requests: ObjectRequests;
  private readonly _queue = new ChangeQueue();
  /** Requests in flight (ends in the same turn as their `mask-change`, so `status` agrees with it). */
  private _inFlight = 0;

  constructor(
    private readonly _host: SegmenterHost,
    private readonly _engine: EngineController,
    frame: ImageFrame,
    private readonly _emitter: Emitter,
    private readonly _hooks: SegmentationHooks,
  ) {
    _host.addController(this);
    this.requests = new ObjectRequests(_host, _engine, frame);
  }

  hostConnected(): void {}

  // --- reading -----------------------------------------------------------------------------

  get active(): SegmentObject {
    return this.objects.active;
  }

  /** Some object's decode (or re-render) is in flight. */
  get decoding(): boolean {
    return this._inFlight > 0;
  }

  infos(): SegmentObjectInfo[] {
    return this.objects.all.map((o) => o.info());
  }

  /** An object's prompts as drawn: applied ones, and (separately) those waiting for the image. */
  promptsOf(object: SegmentObject): { applied: Prompts; pending: Prompts } {
    return this._queue.split(object.id, object.prompts);
  }

  /** The active object's prompts including changes waiting for the image (what is drawn). */
  currentPrompts(): Prompts {
    const { applied, pending } = this.promptsOf(this.active);
    return { points: [...applied.points, ...pending.points], box: pending.box ?? applied.box };
  }

  // --- prompt changes ----------------------------------------------------------------------

  /**
   * Applies a change to the active object now (the image is ready) or when it is: resolves with
   * the mask, null when a newer change superseded it. Given as a function, the change is made
   * (its arguments checked) here: a bad argument rejects and nothing is queued.
   */
  change(make: PromptChange | (() => PromptChange)): Promise<MaskResult | null> {
    let change: PromptChange;
    try {
      change = typeof make === 'function' ? make() : make;
    } catch (error) {
      return Promise.reject(error);
    }
    this._hooks.activate();
    const refusal = this._refusal();
    if (refusal) return Promise.reject(refusal);
    const object = this.active;
    if (!this._engine.ready) {
      return new Promise((resolve, reject) => {
        this._queue.push({ ...change, objectId: object.id, waiter: { resolve, reject } });
        this._promptsChanged();
      });
    }
    let next: Prompts | null;
    try {
      next = change.apply(object.prompts, this._engine.imageSize);
    } catch (error) {
      return Promise.reject(error);
    }
    if (next) this._commit(object, next, change.refine);
    return this._decode(object, change.source);
  }

  undo(source: ChangeSource): Promise<MaskResult | null> {
    const object = this.active;
    // Before the image is ready, undo takes back the last change still waiting.
    if (this._queue.dropLast(object.id)) {
      this._promptsChanged();
      return Promise.resolve(null);
    }
    return this._travel(object, object.history.undo(), source);
  }

  redo(source: ChangeSource): Promise<MaskResult | null> {
    const object = this.active;
    return this._travel(object, object.history.redo(), source);
  }

  /** Removes the active object's prompts and mask (fires `mask-change` with `mask: null`). */
  clear(source: ChangeSource): void {
    const object = this.active;
    this._queue.drop((c) => c.objectId === object.id);
    if (object.hasPrompts) this._commit(object, EMPTY, false);
    this._showEmpty(object, source, true);
  }

  /** Shows another of the active object's candidate masks. */
  selectMask(index: number): Promise<MaskResult | null> {
    const object = this.active;
    const scores = object.result?.mask ? object.result.scores : [];
    if (!scores.length || !this._engine.ready) {
      return Promise.reject(new Sam2Error('not-ready', 'There is no mask to choose from yet'));
    }
    if (!Number.isInteger(index) || index < 0 || index >= scores.length) {
      return Promise.reject(new Sam2Error('invalid-argument', `selectMask(${index}): there are ${scores.length} candidates`));
    }
    object.selectedIndex = index;
    return this._refresh(object, 'api');
  }

  /** Threshold or clean-up changed: every object's mask is made again from its candidates. */
  rethreshold(): void {
    for (const object of this.objects.all) if (object.result?.mask) void this._refresh(object, 'api').catch(() => {});
  }

  // --- objects -----------------------------------------------------------------------------

  addObject(): number {
    const object = this.objects.add();
    this._objectsChanged(resolveStrings(this._host.strings).objectAdded(object.id));
    return object.id;
  }

  activate(id: number): void {
    if (!this.objects.activate(id)) return;
    this._objectsChanged(resolveStrings(this._host.strings).objectActive(id));
  }

  removeObject(id: number): void {
    const removed = this.objects.remove(id);
    if (!removed) return;
    removed.lane.cancel();
    this._releaseObject(id);
    this._queue.drop((c) => c.objectId === id);
    if (this.early?.objectId === id) this.early = null;
    this._objectsChanged(resolveStrings(this._host.strings).objectRemoved(id, this.active.id));
  }

  // --- what the engine tells ---------------------------------------------------------------

  /** The image is ready: queued changes are applied in order and every touched object decoded. */
  ready(): void {
    const size = this._engine.imageSize;
    const touched = new Map<SegmentObject, { waiters: Waiter<MaskResult>[]; source: ChangeSource }>();
    for (const change of this._queue.takeAll()) {
      const object = this.objects.get(change.objectId);
      if (!object) {
        change.waiter.resolve(null);
        continue;
      }
      let next: Prompts | null;
      try {
        next = change.apply(object.prompts, size);
      } catch (error) {
        change.waiter.reject(error);
        continue;
      }
      if (next) this._commit(object, next, change.refine);
      const entry = touched.get(object) ?? { waiters: [], source: 'api' };
      entry.waiters.push(change.waiter);
      if (change.source === 'user') entry.source = 'user';
      touched.set(object, entry);
    }
    for (const object of this.objects.all) {
      const entry = touched.get(object);
      if (!entry && !object.stale) continue;
      const decoded = this._decode(object, entry?.source ?? 'api');
      if (entry) decoded.then((r) => entry.waiters.forEach((w) => w.resolve(r)), (e) => entry.waiters.forEach((w) => w.reject(e)));
      else decoded.catch(() => {});
    }
    this._promptsChanged();
  }

  /** Segmenting can't happen (model, image or encode failed): waiting changes are refused. */
  failed(error: Sam2Error): void {
    this._queue.drop(() => true, error);
  }

  /**
   * The worker's state for this element is gone: a crash or lost device (`reason`; requests in
   * flight fail with it), or the element was removed (null; its promises reject `aborted`).
   * Prompts stay and are decoded again once the image is ready.
   */
  lost(reason: Sam2Error | null): void {
    if (!reason) {
      const aborted = new Sam2Error('aborted', 'The element was removed from the document');
      for (const object of this.objects.all) object.lane.cancel(aborted);
      this._queue.drop(() => true, aborted);
      this.early = null;
    }
    for (const object of this.objects.all) {
      object.forgetDecode();
      object.kept = false;
      object.stale = object.hasPrompts;
    }
  }

  /** A new image: one empty object (id 1); promises of the old image resolve null. */
  resetForNewImage(): void {
    const before = this.objects.signature();
    const hadMasks = this.objects.all.filter((o) => o.result?.mask);
    for (const object of this.objects.all) object.lane.cancel();
    this._queue.drop(() => true);
    this.objects.reset();
    this.early = null;
    for (const object of hadMasks) {
      object.result = null;
      this._emitMask(object, 'api', EMPTY);
    }
    if (this.objects.signature() !== before) this._objectsChanged(null);
    this._promptsChanged();
  }

  /** Why a prompt change can't ever be served right now, or null. */
  private _refusal(): Sam2Error | null {
    const failure = this._engine.failure;
    if (failure?.code === 'model-unknown') return failure;
    if (!this._engine.hasImage) return new Sam2Error('not-ready', 'Set `src` or `image` before adding prompts');
    return failure;
  }

  private _commit(object: SegmentObject, next: Prompts, refine: boolean) {
    object.history.push(next);
    object.selectedIndex = null;
    object.decoded = false;
    object.stale = false;
    // Refinement (official predictor): only a click added to the same object reuses the logits.
    if (!refine) object.refinable = false;
    this._promptsChanged();
  }

  private _travel(object: SegmentObject, moved: boolean, source: ChangeSource): Promise<MaskResult | null> {
    if (!moved) return Promise.resolve(object.result);
    // The refinement logits belong to the state we left; start the restored one afresh.
    object.selectedIndex = null;
    object.forgetDecode();
    this._promptsChanged();
    if (!this._engine.ready) {
      object.stale = object.hasPrompts;
      return Promise.resolve(null);
    }
    return this._decode(object, source);
  }

  private _decode(object: SegmentObject, source: ChangeSource): Promise<MaskResult | null> {
    if (!object.hasPrompts) return Promise.resolve(this._showEmpty(object, source, false));
    object.stale = false;
    return object.lane.schedule((signal, isCurrent) => this._runDecode(object, source, signal, isCurrent));
  }

  /** The object's mask matching its prompts, by the cheapest request: a re-render when its candidates are current. */
  private _refresh(object: SegmentObject, source: ChangeSource): Promise<MaskResult | null> {
    return object.lane.schedule((signal, isCurrent) =>
      object.decoded ? this._runRender(object, source, signal, isCurrent) : this._runDecode(object, source, signal, isCurrent),
    );
  }

  private async _runDecode(object: SegmentObject, source: ChangeSource, signal: AbortSignal, isCurrent: () => boolean): Promise<MaskResult | null> {
    const image = this._engine.encoded;
    if (!image || !this._engine.ready) {
      // The worker lost the image (crash) between the call and now: decoded once it is back.
      object.stale = object.hasPrompts;
      return null;
    }
    if (!object.hasPrompts) return this._showEmpty(object, source, false);
    const prompts = clonePrompts(object.prompts);
    const current = () => isCurrent() && this._engine.encoded === image && this.objects.get(object.id) === object;
    this._beginRequest();
    try {
      const result = await this._engine.client.request(
        this.requests.decode(object, image, { prompts, maskIndex: object.selectedIndex, refine: object.refinable, preview: this.requests.earlyPreviewSize(image) }),
        {
          signal,
          onPartial: (partial) => {
            if (!current()) return;
            const { width, height, data } = partial;
            this.early = { objectId: object.id, mask: { width, height, data } };
            this._hooks.paint();
          },
        },
      );
      if (!current()) return null;
      object.decoded = true;
      object.refinable = true;
      object.kept = true;
      this._setResult(object, {
        mask: { width: result.width, height: result.height, data: result.data },
        score: result.scores[result.maskIndex],
        scores: result.scores,
        maskIndex: result.maskIndex,
        bbox: result.bbox,
        area: result.area,
        prompts,
      });
      this._emitMask(object, source);
      return object.result;
    } catch (error) {
      if (isAbort(error) || !current()) return null;
      throw this._emitter.error(error, 'decode-failed');
    } finally {
      this._endRequest(object);
    }
  }

  /** Re-thresholds / switches candidate from the candidates the worker keeps, without the decoder. */
  private async _runRender(object: SegmentObject, source: ChangeSource, signal: AbortSignal, isCurrent: () => boolean): Promise<MaskResult | null> {
    const image = this._engine.encoded;
    const previous = object.result;
    if (!image || !previous?.mask) return previous;
    const current = () => isCurrent() && this._engine.encoded === image && this.objects.get(object.id) === object;
    this._beginRequest();
    try {
      const rendered = await this._engine.client.request(
        this.requests.render(object, image),
        { signal },
      );
      if (!current()) return null;
      this._setResult(object, {
        ...previous,
        mask: { width: rendered.width, height: rendered.height, data: rendered.data },
        score: rendered.scores[rendered.maskIndex],
        scores: rendered.scores,
        maskIndex: rendered.maskIndex,
        bbox: rendered.bbox,
        area: rendered.area,
      });
      this._emitMask(object, source);
      return object.result;
    } catch (error) {
      if (isAbort(error) || !current()) return null;
      throw this._emitter.error(error, 'decode-failed');
    } finally {
      this._endRequest(object);
    }
  }

  /** The worker forgets what it keeps for an object (cleared or removed): exports no longer see it. */
  private _releaseObject(objectId: number) {
    const image = this._engine.encoded;
    if (image && this._engine.client.started) {
      void this._engine.client.request({ type: 'release-object', imageKey: image.imageKey, objectId }).catch(() => {});
    }
  }

  private _beginRequest() {
    this._inFlight++;
    this._host.requestUpdate();
  }

  private _endRequest(object: SegmentObject) {
    this._inFlight--;
    if (this.early?.objectId === object.id) {
      // Done, aborted or failed: the early mask must not outlive its decode.
      this.early = null;
      this._hooks.paint();
    }
    this._host.requestUpdate();
  }

  /** No prompts: no mask. `mask-change` (null) fires when there was one, or the page asked. */
  private _showEmpty(object: SegmentObject, source: ChangeSource, always: boolean): null {
    object.lane.cancel();
    const hadMask = object.result?.mask != null;
    if (hadMask || object.decoded) this._releaseObject(object.id);
    object.forgetDecode();
    object.kept = false;
    this._setResult(object, null);
    if (hadMask || always || source === 'api') this._emitMask(object, source);
    return null;
  }

  private _setResult(object: SegmentObject, result: MaskResult | null) {
    object.result = result;
    if (this.early?.objectId === object.id) this.early = null;
    if (result?.mask) this._hooks.announce(this._maskAnnouncement(object));
    else if (object === this.active) this._hooks.announce('');
    this._host.requestUpdate();
    this._hooks.paint();
  }

  private _emitMask(object: SegmentObject, source: ChangeSource, prompts: Prompts = object.prompts) {
    const r = object.result;
    const detail: MaskChangeDetail = r
      ? { ...r, prompts: clonePrompts(r.prompts), objectId: object.id, source }
      : { mask: null, score: 0, scores: [], maskIndex: -1, bbox: { ...EMPTY_BBOX }, area: 0, prompts: clonePrompts(prompts), objectId: object.id, source };
    this._emitter.emit('mask-change', detail);
  }

  private _objectsChanged(announcement: string | null) {
    this._emitter.emit('objects-change', { objects: this.infos(), activeObject: this.active.id });
    if (announcement) this._hooks.announce(announcement);
    this._promptsChanged();
  }

  private _promptsChanged() {
    this._hooks.promptsChanged();
    this._host.requestUpdate();
    this._hooks.paint();
  }

  private _maskAnnouncement(object: SegmentObject): string {
    const r = object.result!;
    const total = r.mask!.width * r.mask!.height;
    const percent = ((100 * r.area) / total).toFixed(r.area && r.area * 1000 < total ? 1 : 0);
    const points = r.prompts.points.length;
    return this.objects.all.length > 1 || object.id !== 1
      ? resolveStrings(this._host.strings).objectMask(object.id, percent, points, r.prompts.box !== null)
      : resolveStrings(this._host.strings).mask(percent, points, r.prompts.box !== null);
  }
}

/**
 * What the visitor sees of the element's async states (architecture.md, "Visible states and
 * errors"): the loading status (download with its percentage, compile, encode with a time
 * estimate from earlier encodes), the error that left the element without a model or image, and
 * `retry()`, which runs the failed steps again.
 *
 * Encode times are remembered per model, backend and precision for this page (and, where the
 * browser allows, this tab's session), from the encodes that really ran the encoder: an encode
 * answered from the embedding cache says nothing about the next one.
 */
import type { ReactiveController } from 'lit';
import { TaskStatus } from '@lit/task';
import { Sam2Error } from '../errors.js';
import type { ImageEncodeDetail, ModelLoadDetail } from '../events.js';
import type { EngineController, Sam2Status } from './engine.js';
import type { SegmenterHost } from './host.js';
import { LoadingClock } from './loading-clock.js';
import type { SegmentationController } from './segmentation.js';

/** Which step failed: the error part says what could not be done. */
export type FailedStep = 'model' | 'image' | 'encode';

export interface LoadingView {
  /** `determinate`: a download/compile fraction; `estimate`: an encode whose usual time is known; `indeterminate`: an encode without one. */
  mode: 'determinate' | 'estimate' | 'indeterminate';
  /** Overall fraction of the job (determinate mode). */
  fraction: number;
  /** Usual encode time (ms) in estimate mode, else null. */
  estimateMs: number | null;
  /** Prompts made before the image was ready, waiting for it (drawn hollow). */
  pending: number;
  /** What is being encoded (the prepared image), so that the bar starts again for another one. */
  job: unknown;
}

/** What retry() needs of a Task. */
interface TaskLike {
  readonly status: TaskStatus;
  readonly taskComplete: Promise<unknown>;
}

export interface ErrorView {
  step: FailedStep;
  error: Sam2Error;
}

const SESSION_KEY = 'sam2-segmenter:encode-ms';
const encodeTimes = new Map<string, number>(readSession());

function readSession(): Array<[string, number]> {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? '{}') as Record<string, unknown>;
    return Object.entries(stored).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] > 0);
  } catch {
    return []; // no sessionStorage (opaque origin, storage disabled): this page only
  }
}

function remember(key: string, ms: number) {
  const previous = encodeTimes.get(key);
  // A running mean of the latest encodes: one slow outlier (a busy machine) moves it halfway.
  encodeTimes.set(key, previous === undefined ? ms : (previous + ms) / 2);
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(Object.fromEntries(encodeTimes)));
  } catch {
    /* this page only */
  }
}

export class StatesController implements ReactiveController {
  /** The loaded model's key into the encode times (from its `model-load`). */
  private _modelKey: string | null = null;

  constructor(
    private readonly _host: SegmenterHost,
    private readonly _engine: EngineController,
    private readonly _segmentation: SegmentationController,
  ) {
    _host.addController(this);
    // Moves the bar (without CSS animations) while the status shows.
    new LoadingClock(_host, () => this.loading(_engine.status(_segmentation.decoding)));
  }

  hostConnected(): void {
    this._host.addEventListener('model-load', this._onModelLoad);
    this._host.addEventListener('image-encode', this._onImageEncode);
  }

  hostDisconnected(): void {
    this._host.removeEventListener('model-load', this._onModelLoad);
    this._host.removeEventListener('image-encode', this._onImageEncode);
  }

  /** The status to show while loading or encoding, else null (hidden). */
  loading(status: Sam2Status): LoadingView | null {
    if (status !== 'loading' && status !== 'encoding') return null;
    const { pending } = this._segmentation.promptsOf(this._segmentation.active);
    const waiting = pending.points.length + (pending.box ? 1 : 0);
    if (status === 'encoding') {
      const estimateMs = (this._modelKey !== null && encodeTimes.get(this._modelKey)) || null;
      const job = this._engine.imageTask.value ?? null;
      return { mode: estimateMs === null ? 'indeterminate' : 'estimate', fraction: 0, estimateMs, pending: waiting, job };
    }
    return { mode: 'determinate', fraction: this._engine.progress?.fraction ?? 0, estimateMs: null, pending: waiting, job: null };
  }

  /** The failure that leaves the element without a usable model or image, or null. */
  failure(status: Sam2Status): ErrorView | null {
    if (status !== 'error') return null;
    const { modelTask, imageTask, encodeTask } = this._engine;
    if (imageTask.status === TaskStatus.ERROR) return { step: 'image', error: Sam2Error.from(imageTask.error, 'image-load-failed') };
    if (modelTask.status === TaskStatus.ERROR) return { step: 'model', error: Sam2Error.from(modelTask.error, 'model-fetch-failed') };
    if (encodeTask.status === TaskStatus.ERROR) {
      const error = Sam2Error.from(encodeTask.error, 'encode-failed');
      // A URL image is fetched and decoded by the encode: its failure is the image's.
      return { step: error.code.startsWith('image-') ? 'image' : 'encode', error };
    }
    return null;
  }

  /**
   * Runs the failed steps again (the model load, the image, the encode) and resolves once they
   * and the encode that follows are done; rejects with the step's error if one fails again.
   * Resolves at once when nothing failed.
   */
  async retry(): Promise<void> {
    const { modelTask, imageTask, encodeTask } = this._engine;
    const failed = (task: TaskLike) => task.status === TaskStatus.ERROR;
    if (!failed(modelTask) && !failed(imageTask) && !failed(encodeTask)) return;
    // A worker given up (it could not start, or crashed too often) is started afresh.
    if (this._engine.client.failure) this._engine.client.reset();
    // An <img> that failed keeps its broken state until its source is set again.
    const img = this._host.renderRoot.querySelector<HTMLImageElement>('img.image');
    if (img && img.complete && !img.naturalWidth) img.src = img.src;
    const runs: Array<Promise<void>> = [];
    if (failed(modelTask)) runs.push(modelTask.run());
    if (failed(imageTask)) runs.push(imageTask.run());
    if (failed(encodeTask) && runs.length === 0) runs.push(encodeTask.run());
    await Promise.all(runs);
    // A model or image that came back starts the encode at the host's next update.
    const tasks: TaskLike[] = [modelTask, imageTask, encodeTask];
    await this._host.updateComplete;
    while (tasks.some((task) => task.status === TaskStatus.PENDING)) {
      await Promise.all(tasks.map((task) => task.taskComplete.catch(() => {})));
      await this._host.updateComplete;
    }
    const failure = this.failure(this._engine.status(false));
    if (failure) throw failure.error;
  }

  private readonly _onModelLoad = (event: Event) => {
    if (event.target !== this._host) return;
    const { model, backend, precision } = (event as CustomEvent<ModelLoadDetail>).detail;
    this._modelKey = `${model}|${backend}|${precision}`;
  };

  private readonly _onImageEncode = (event: Event) => {
    if (event.target !== this._host || !this._modelKey) return;
    const { ms, timings } = (event as CustomEvent<ImageEncodeDetail>).detail;
    if (timings && timings.encoder === 0) return; // answered from the embedding cache
    remember(this._modelKey, ms);
    this._host.requestUpdate();
  };
}

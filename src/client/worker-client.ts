/**
 * The one object that owns the inference worker: request ids, the pending map, transferables,
 * errors rebuilt as Sam2Error, cancellation, and bounded restarts after crashes (a worker that
 * can't start is given up at once, with the reason). Every element on the page shares one client
 * (and so one worker, one set of sessions).
 */
import { Sam2Error } from '../errors.js';
import type { Backend, ProgressDetail } from '../events.js';
import type { ClientMessage, PartialOf, ResultOf, WorkerMessage, WorkerRequest } from '../worker/protocol.js';
import { workerAssets, type WorkerAssets } from './assets.js';
import { diagnoseStartFailure, startWorker, type StartedWorker } from './worker-start.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Sam2Error): void;
  onProgress?: (detail: ProgressDetail) => void;
  onWarning?: (warning: Sam2Error) => void;
  onPartial?: (value: unknown) => void;
}

export interface RequestOptions<Partial = unknown> {
  signal?: AbortSignal;
  transfer?: Transferable[];
  onProgress?: (detail: ProgressDetail) => void;
  /** Problems the request survives (e.g. the model cache can't be written). */
  onWarning?: (warning: Sam2Error) => void;
  /** An early result the worker sends before the final one (a decode's preview mask). */
  onPartial?: (value: Partial) => void;
}

/** Restarts after crashes: at most this many within {@link RESTART_WINDOW_MS}, then the worker is given up. */
export const MAX_RESTARTS = 3;
export const RESTART_WINDOW_MS = 60_000;
/** Wait before the n-th restart in the window (a crash loop must not spin). */
const RESTART_DELAYS_MS = [250, 1000, 4000];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class WorkerClient extends EventTarget {
  private _worker: Worker | null = null;
  private _disposeStart: () => void = () => {};
  /** The files in use, chosen at the first start (a base set before then is honoured). */
  private _assets: WorkerAssets | null = null;
  /** Whether the running worker has sent anything yet: an error before that is a failed start. */
  private _heard = false;
  private _nextId = 1;
  private readonly _pending = new Map<number, Pending>();
  /** When recent crashes happened (within the restart window). */
  private _crashes: number[] = [];
  /** No restart before this time (performance.now()). */
  private _restartAt = 0;
  /** A diagnosis of a failed start or a restart delay in progress: new requests wait for it. */
  private _settling: Promise<void> | null = null;
  /** Set once the worker is given up: every request fails with it at once. */
  private _failure: Sam2Error | null = null;
  /** Increments on every (re)start: state held in an older worker is gone. */
  generation = 0;

  constructor(private readonly _resolveAssets: () => WorkerAssets) {
    super();
  }

  get started(): boolean {
    return this._worker !== null;
  }

  /** The worker script in use (null before the first start). */
  get workerUrl(): URL | null {
    return this._assets?.worker ?? null;
  }

  /** The final error once the worker was given up (it can't start, or crashed too often), else null. */
  get failure(): Sam2Error | null {
    return this._failure;
  }

  /**
   * Forgets a final failure and the crash history: the next request starts a worker again, from
   * the files chosen anew (a `basePath` fixed meanwhile counts). For `retry()`.
   */
  reset() {
    this._failure = null;
    this._crashes = [];
    this._restartAt = 0;
    if (!this._worker) this._assets = null;
  }

  /** The running worker, or a fresh one; throws the final error when the worker was given up. */
  private _ensureWorker(): Worker {
    if (this._failure) throw this._failure;
    if (this._worker) return this._worker;
    this._assets ??= this._resolveAssets();
    let started: StartedWorker;
    try {
      started = startWorker(this._assets);
    } catch (error) {
      this._giveUp(Sam2Error.from(error, 'worker-crashed'));
      throw this._failure;
    }
    const { worker } = started;
    worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => {
      if (worker !== this._worker) return;
      if (!this._heard) {
        this._heard = true;
        this._disposeStart();
      }
      this._onMessage(event.data);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (worker !== this._worker) return;
      if (this._heard) this._crash(`failed: ${event.message || 'it threw or ran out of memory'}`);
      else this._failedToStart(event.message);
    });
    worker.addEventListener('messageerror', () => {
      if (worker === this._worker) this._crash('sent an unreadable message');
    });
    this._worker = worker;
    this._disposeStart = started.dispose;
    this._heard = false;
    this.generation++;
    return worker;
  }

  /**
   * The worker for the next message: at once in the normal case; after a restart delay or the
   * diagnosis of a failed start otherwise.
   */
  private _workerForRequest(): Worker | Promise<Worker> {
    if (this._failure || this._worker || (!this._settling && performance.now() >= this._restartAt)) return this._ensureWorker();
    return (async () => {
      for (;;) {
        if (this._settling) await this._settling;
        else if (!this._worker && !this._failure && performance.now() < this._restartAt) {
          const settling = sleep(this._restartAt - performance.now()).then(() => {
            if (this._settling === settling) this._settling = null;
          });
          this._settling = settling;
        } else return this._ensureWorker();
      }
    })();
  }

  /**
   * The worker failed before sending anything. Asking for its script again tells a missing or
   * wrong file (404, an HTML fallback page) from a script that threw: the first is final at once
   * (restarting can't help), the second counts as a crash.
   */
  private _failedToStart(message: string) {
    const url = this._assets!.worker;
    this._terminate();
    const settling = diagnoseStartFailure(url).then((fault) => {
      if (this._settling === settling) this._settling = null;
      if (fault) this._giveUp(new Sam2Error('worker-crashed', `The inference worker ${url.href} ${fault}`, { recoverable: false }));
      else this._crash(`failed to start: ${message || 'its script could not be loaded or threw while loading'}`);
    });
    this._settling = settling;
  }

  private _terminate() {
    this._worker?.terminate();
    this._worker = null;
    this._disposeStart();
    this._disposeStart = () => {};
  }

  private _onMessage(message: WorkerMessage) {
    if ('deviceLost' in message) {
      this._retire(Sam2Error.from(message.deviceLost));
      return;
    }
    const pending = this._pending.get(message.id);
    if (!pending) return;
    if ('progress' in message) {
      pending.onProgress?.(message.progress);
      return;
    }
    if ('warning' in message) {
      pending.onWarning?.(Sam2Error.from(message.warning));
      return;
    }
    if ('partial' in message) {
      pending.onPartial?.(message.partial);
      return;
    }
    this._pending.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(Sam2Error.from(message.error));
  }

  /**
   * Fails everything in flight and drops the worker; the next request starts a fresh one, after a
   * delay that grows with each crash. More than {@link MAX_RESTARTS} crashes within a minute and
   * the worker is given up.
   */
  private _crash(reason: string) {
    const url = this._assets?.worker.href ?? 'sam2.worker.js';
    const now = performance.now();
    this._crashes = [...this._crashes.filter((t) => now - t < RESTART_WINDOW_MS), now];
    const restarts = this._crashes.length;
    if (restarts > MAX_RESTARTS) {
      this._giveUp(
        new Sam2Error('worker-crashed', `The inference worker ${url} ${reason}; it crashed ${restarts} times within a minute, so it is not restarted again`, { recoverable: false }),
      );
      return;
    }
    this._restartAt = now + RESTART_DELAYS_MS[Math.min(restarts, RESTART_DELAYS_MS.length) - 1];
    this._stop(new Sam2Error('worker-crashed', `The inference worker ${url} ${reason}`), 'crash');
  }

  /** The final failure: nothing is restarted, every request (now and later) fails with `error`. */
  private _giveUp(error: Sam2Error) {
    this._failure = error;
    this._stop(error, 'crash');
  }

  /**
   * The worker is alive but useless (its GPU device is gone): stopped like a crashed one, and
   * 'device-lost' tells the elements to move to another backend.
   */
  private _retire(error: Sam2Error) {
    this._stop(error, 'device-lost');
  }

  /** Terminates the worker, fails what was in flight with `error`, and announces it as `event`. */
  private _stop(error: Sam2Error, event: 'crash' | 'device-lost') {
    this._terminate();
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const p of pending) p.reject(error);
    this.dispatchEvent(new CustomEvent(event, { detail: error }));
  }

  /** Test hook and last resort: kills the worker as a crash would. */
  terminate(reason = 'was terminated') {
    if (this._worker) this._crash(reason);
  }

  /** Sends a request; its result and partial types follow from its `type` (protocol.ts). */
  request<T extends WorkerRequest>(request: T, options: RequestOptions<PartialOf<T['type']>> = {}): Promise<ResultOf<T['type']>> {
    const { signal, transfer = [], onProgress, onWarning, onPartial } = options;
    if (signal?.aborted) return Promise.reject(new Sam2Error('aborted', 'The request was aborted'));
    let target: Worker | Promise<Worker>;
    try {
      target = this._workerForRequest();
    } catch (error) {
      return Promise.reject(error);
    }
    const id = this._nextId++;
    return new Promise<ResultOf<T['type']>>((resolve, reject) => {
      let sentTo: Worker | null = null;
      const onAbort = () => {
        if (!this._pending.delete(id)) return;
        sentTo?.postMessage({ id, cancel: true } satisfies ClientMessage);
        reject(new Sam2Error('aborted', 'The request was superseded'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this._pending.set(id, {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value as ResultOf<T['type']>);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        onProgress,
        onWarning,
        // Partials of this id are of this request's type (the worker's table is typed alike).
        onPartial: onPartial as Pending['onPartial'],
      });
      const send = (worker: Worker) => {
        // Aborted (or failed with a crash) while waiting for a restart.
        if (!this._pending.has(id)) return;
        try {
          worker.postMessage({ id, request } satisfies ClientMessage, transfer);
          sentTo = worker;
        } catch (cause) {
          this._pending.get(id)?.reject(new Sam2Error('invalid-argument', 'The request could not be sent to the worker', { cause }));
          this._pending.delete(id);
        }
      };
      if (target instanceof Worker) send(target);
      else
        target.then(send, (error: unknown) => {
          this._pending.get(id)?.reject(Sam2Error.from(error, 'worker-crashed'));
          this._pending.delete(id);
        });
    });
  }
}

const clients = new Map<Backend, WorkerClient>();

/** A worker that is already running (either backend), else the WASM one: for backend-neutral requests. */
export function anyWorkerClient(): WorkerClient {
  return [...clients.values()].find((client) => client.started) ?? getWorkerClient('wasm');
}

/** The page's one worker for a backend (WASM and WebGPU use different onnxruntime builds). */
export function getWorkerClient(backend: Backend = 'wasm'): WorkerClient {
  let client = clients.get(backend);
  if (!client) {
    // The files are looked up when the worker first starts, not now (see assets.ts).
    client = new WorkerClient(() => workerAssets(backend));
    clients.set(backend, client);
  }
  return client;
}

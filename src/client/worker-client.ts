/**
 * The one object that owns the inference worker: request ids, the pending map, transferables,
 * errors rebuilt as Sam2Error, cancellation, and a restart after a crash. Every element on the
 * page shares one client (and so one worker, one set of sessions).
 */
import { Sam2Error } from '../errors.js';
import type { Backend, ProgressDetail } from '../events.js';
import { WORKER_NAME, type ClientMessage, type PartialOf, type ResultOf, type WorkerMessage, type WorkerRequest } from '../worker/protocol.js';

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

/**
 * A cross-origin script (the CDN case) may not start a worker from its own URL: the browser
 * throws a SecurityError. A same-origin blob: module that imports the absolute URL is allowed.
 */
function startWorker(url: URL): Worker {
  const options: WorkerOptions = { type: 'module', name: WORKER_NAME };
  if (url.origin === self.location.origin) return new Worker(url, options);
  const shim = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
  const blobUrl = URL.createObjectURL(shim);
  try {
    return new Worker(blobUrl, options);
  } finally {
    // The worker has its own reference to the script once started.
    setTimeout(() => URL.revokeObjectURL(blobUrl), 10_000);
  }
}

export class WorkerClient extends EventTarget {
  private _worker: Worker | null = null;
  private _nextId = 1;
  private readonly _pending = new Map<number, Pending>();
  /** Increments on every (re)start: state held in an older worker is gone. */
  generation = 0;

  constructor(private readonly _url: URL) {
    super();
  }

  get started(): boolean {
    return this._worker !== null;
  }

  private _ensureWorker(): Worker {
    if (this._worker) return this._worker;
    const worker = startWorker(this._url);
    worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => this._onMessage(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this._crash(`The inference worker failed: ${event.message || 'it could not be started or threw'}`);
    });
    worker.addEventListener('messageerror', () => this._crash('The inference worker sent an unreadable message'));
    this._worker = worker;
    this.generation++;
    return worker;
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

  /** Fails everything in flight and drops the worker; the next request starts a fresh one. */
  private _crash(reason: string) {
    this._stop(new Sam2Error('worker-crashed', reason), 'crash');
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
    this._worker?.terminate();
    this._worker = null;
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const p of pending) p.reject(error);
    this.dispatchEvent(new CustomEvent(event, { detail: error }));
  }

  /** Test hook and last resort: kills the worker as a crash would. */
  terminate(reason = 'The inference worker was terminated') {
    if (this._worker) this._crash(reason);
  }

  /** Sends a request; its result and partial types follow from its `type` (protocol.ts). */
  request<T extends WorkerRequest>(request: T, options: RequestOptions<PartialOf<T['type']>> = {}): Promise<ResultOf<T['type']>> {
    const { signal, transfer = [], onProgress, onWarning, onPartial } = options;
    if (signal?.aborted) return Promise.reject(new Sam2Error('aborted', 'The request was aborted'));
    const worker = this._ensureWorker();
    const id = this._nextId++;
    return new Promise<ResultOf<T['type']>>((resolve, reject) => {
      const onAbort = () => {
        if (!this._pending.delete(id)) return;
        worker.postMessage({ id, cancel: true } satisfies ClientMessage);
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
      try {
        worker.postMessage({ id, request } satisfies ClientMessage, transfer);
      } catch (cause) {
        this._pending.delete(id);
        reject(new Sam2Error('invalid-argument', 'The request could not be sent to the worker', { cause }));
      }
    });
  }
}

const clients = new Map<Backend, WorkerClient>();
let workerBase: URL | undefined;

const WORKER_FILES: Record<Backend, string> = { wasm: 'sam2.worker.js', webgpu: 'sam2.worker.webgpu.js' };

/** Where the worker bundles live (a folder URL, or the URL of sam2.worker.js); defaults to next to this script. */
export function setWorkerUrl(url: string | URL) {
  workerBase = new URL(url, document.baseURI);
}

/** A worker that is already running (either backend), else the WASM one: for backend-neutral requests. */
export function anyWorkerClient(): WorkerClient {
  return [...clients.values()].find((client) => client.started) ?? getWorkerClient('wasm');
}

/** The page's one worker for a backend (WASM and WebGPU use different onnxruntime builds). */
export function getWorkerClient(backend: Backend = 'wasm'): WorkerClient {
  let client = clients.get(backend);
  if (!client) {
    const base = workerBase ?? new URL('./', import.meta.url);
    client = new WorkerClient(new URL(WORKER_FILES[backend], base));
    clients.set(backend, client);
  }
  return client;
}

/**
 * The inference worker: one per page (per backend), shared by every <sam2-segmenter>. It owns
 * the onnxruntime sessions (models.ts), the images and their embeddings (images.ts, encode.ts),
 * decoding and mask post-processing (decode.ts, mask-output.ts) and exports (exports.ts), so the
 * main thread only ever receives finished masks. This file is the message loop only: requests
 * are dispatched through the handler table (handlers.ts).
 */
import { Sam2Error } from '../errors.js';
import { deviceLostError, onDeviceLost } from './gpu-device.js';
import { HANDLERS, type Handler, type RequestContext } from './handlers.js';
import { forgetImages } from './images.js';
import { forgetModels } from './models.js';
import { FAILURE_CODES, WORKER_NAME, type ClientMessage, type WorkerMessage, type WorkerRequest, type WorkerRequestType } from './protocol.js';

type Post = (message: WorkerMessage, transfer?: Transferable[]) => void;

/** The typed arrays of a result's fields (and of a `mask` field's), transferred instead of copied. */
function transferablesOf(value: unknown): Transferable[] {
  if (typeof value !== 'object' || value === null) return [];
  const out: Transferable[] = [];
  for (const field of Object.values(value)) {
    if (ArrayBuffer.isView(field) && field.buffer instanceof ArrayBuffer) out.push(field.buffer);
  }
  return out;
}

/** Requests in flight (or queued) by id, so a `cancel` message can abort them. */
const inFlight = new Map<number, AbortController>();

async function handle(id: number, request: WorkerRequest, post: Post): Promise<void> {
  const controller = inFlight.get(id) ?? new AbortController();
  const context: RequestContext<unknown> = {
    id,
    signal: controller.signal,
    progress: (detail) => post({ id, progress: detail }),
    warning: (warning) => post({ id, warning: warning.toJSON() }),
    partial: (value) => post({ id, partial: value }, transferablesOf(value)),
  };
  try {
    const lost = deviceLostError();
    if (lost) throw lost;
    if (controller.signal.aborted) throw new Sam2Error('aborted', 'Superseded by a newer request');
    // The table is typed per request type; TypeScript can't correlate `request` with its entry.
    const handler = HANDLERS[request.type] as unknown as Handler<WorkerRequestType>;
    const value = await handler.run(request as never, context as never);
    post({ id, ok: true, value }, transferablesOf(value));
  } catch (error) {
    post({ id, ok: false, error: Sam2Error.from(error, FAILURE_CODES[request.type]).toJSON() });
  } finally {
    inFlight.delete(id);
  }
}

let queue: Promise<void> = Promise.resolve();

// onnxruntime's Emscripten runtime starts its pthreads from this same script; they must not
// run the application's message handler.
if (self.name !== 'em-pthread') {
  // Typed by hand: the DOM and WebWorker libs can't both be in one tsconfig.
  const scope = self as unknown as {
    name: string;
    postMessage(message: unknown, transfer: Transferable[]): void;
    addEventListener(type: 'message', listener: (event: MessageEvent<ClientMessage>) => void): void;
  };
  if (scope.name && scope.name !== WORKER_NAME) console.warn(`sam2-segmenter worker started as "${scope.name}"`);
  const post: Post = (message, transfer = []) => scope.postMessage(message, transfer);
  onDeviceLost((error) => {
    forgetModels();
    forgetImages();
    post({ id: 0, deviceLost: error.toJSON() });
  });
  scope.addEventListener('message', (event) => {
    const message = event.data;
    if ('cancel' in message) {
      inFlight.get(message.id)?.abort();
      return;
    }
    const { id, request } = message;
    inFlight.set(id, new AbortController());
    if (!HANDLERS[request.type].queued) {
      void handle(id, request, post);
      return;
    }
    queue = queue.then(() => handle(id, request, post));
  });
}

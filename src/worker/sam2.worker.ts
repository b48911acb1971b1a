/**
 * The inference worker: one per page (per backend), shared by every <sam2-segmenter>. It owns
 * the onnxruntime sessions (models.ts), the images, their embeddings and objects (images.ts,
 * encode.ts, objects.ts), decoding and mask post-processing (decode.ts, mask-output.ts) and
 * exports (exports.ts), so the main thread only ever receives finished masks. This file is the
 * message loop only: requests are dispatched through the handler table (handlers.ts).
 */
import { Sam2Error } from '../errors.js';
import { deviceLostError, onDeviceLost } from './gpu-device.js';
import { HANDLERS, type Handler, type RequestContext } from './handlers.js';
import { forgetImages } from './images.js';
import { forgetModels } from './models.js';
import { serial, trackSessionWork } from './serial.js';
import { counters } from './stats.js';
import { FAILURE_CODES, WORKER_NAME, type ClientMessage, type WorkerMessage, type WorkerRequest, type WorkerRequestType } from './protocol.js';

type Post = (message: WorkerMessage, transfer?: Transferable[]) => void;

/** The typed arrays among a value's fields, transferred instead of copied. */
function transferablesOf(value: unknown): Transferable[] {
  if (typeof value !== 'object' || value === null) return [];
  const out: Transferable[] = [];
  for (const field of Object.values(value)) {
    if (ArrayBuffer.isView(field) && field.buffer instanceof ArrayBuffer) out.push(field.buffer);
  }
  return out;
}

/** A request from its arrival to its one answer. */
interface Job {
  id: number;
  request: WorkerRequest;
  controller: AbortController;
  started: boolean;
  answered: boolean;
  /** Ends this job's count of waiting session work (encodes and decodes). */
  settled?: () => void;
}

/** Jobs not answered yet, by id (a `cancel` message aborts one). */
const jobs = new Map<number, Job>();
/** The newest queued job of each lane: a newer one supersedes it if it has not started. */
const lanes = new Map<string, Job>();

const aborted = () => new Sam2Error('aborted', 'Superseded by a newer request');

/**
 * Bytes of typed arrays in a message that are not transferred, i.e. copied by the structured
 * clone (counted into `stats.bytesClonedToPage`, so tests can prove that no mask is copied).
 */
function clonedBytes(value: unknown, transfer: readonly Transferable[], depth = 0): number {
  if (typeof value !== 'object' || value === null || depth > 4) return 0;
  if (ArrayBuffer.isView(value)) return transfer.includes(value.buffer as ArrayBuffer) ? 0 : value.byteLength;
  if (value instanceof ArrayBuffer) return transfer.includes(value) ? 0 : value.byteLength;
  if (value instanceof Blob) return 0;
  let sum = 0;
  for (const field of Object.values(value)) sum += clonedBytes(field, transfer, depth + 1);
  return sum;
}

const postCounted = (post: Post, message: WorkerMessage, transfer: Transferable[] = []) => {
  counters.bytesClonedToPage += clonedBytes(message, transfer);
  post(message, transfer);
};

function answer(job: Job, post: Post, message: WorkerMessage, transfer: Transferable[] = []) {
  if (job.answered) return;
  job.answered = true;
  job.settled?.();
  jobs.delete(job.id);
  const lane = 'lane' in job.request ? job.request.lane : undefined;
  if (lane !== undefined && lanes.get(lane) === job) lanes.delete(lane);
  postCounted(post, message, transfer);
}

/** Aborts a job; one that has not started is answered at once (and later skipped). */
function abort(job: Job, post: Post) {
  job.controller.abort();
  if (job.started) return;
  if (HANDLERS[job.request.type].queued) counters.requestsSuperseded++;
  answer(job, post, { id: job.id, ok: false, error: aborted().toJSON() });
}

async function run(job: Job, post: Post): Promise<void> {
  if (job.answered) return;
  job.started = true;
  const { id, request, controller } = job;
  const context: RequestContext<unknown> = {
    id,
    signal: controller.signal,
    progress: (detail) => !job.answered && post({ id, progress: detail }),
    warning: (warning) => !job.answered && post({ id, warning: warning.toJSON() }),
    partial: (value) => !job.answered && postCounted(post, { id, partial: value }, transferablesOf(value)),
  };
  try {
    const lost = deviceLostError();
    if (lost) throw lost;
    if (controller.signal.aborted) throw aborted();
    // The table is typed per request type; TypeScript can't correlate `request` with its entry.
    const handler = HANDLERS[request.type] as unknown as Handler<WorkerRequestType>;
    const value = await handler.run(request as never, context as never);
    answer(job, post, { id, ok: true, value }, transferablesOf(value));
  } catch (error) {
    answer(job, post, { id, ok: false, error: Sam2Error.from(error, FAILURE_CODES[request.type]).toJSON() });
  }
}

/**
 * Resolves after the messages that have already arrived are read. onnxruntime's WASM run blocks
 * this thread (its pthreads are joined synchronously), so a decode finishes within microtasks of
 * its message, before the next message is even seen: without this hop, a decode would start
 * before its own cancel (already waiting) is read, and a burst of one lane would run one by one.
 */
const channel = new MessageChannel();
const waiting: Array<() => void> = [];
channel.port1.onmessage = () => waiting.shift()?.();
const afterArrivedMessages = () =>
  new Promise<void>((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });

function receive(message: ClientMessage, post: Post) {
  if ('cancel' in message) {
    const job = jobs.get(message.id);
    if (job) abort(job, post);
    return;
  }
  const { id, request } = message;
  const job: Job = { id, request, controller: new AbortController(), started: false, answered: false };
  jobs.set(id, job);
  // The decoder warm-up waits while an encode or decode is queued or running.
  if (request.type === 'encode' || request.type === 'decode') job.settled = trackSessionWork();
  if (!HANDLERS[request.type].queued) {
    void run(job, post);
    return;
  }
  const lane = 'lane' in request ? request.lane : undefined;
  if (lane !== undefined) {
    // Latest wins inside the worker too: only the newest queued request of a lane will run,
    // whatever order the page's decode and cancel messages arrive in.
    const older = lanes.get(lane);
    if (older && !older.started) abort(older, post);
    lanes.set(lane, job);
  }
  // Messages already here (a newer request of the lane, this one's cancel) are read first.
  void serial(() => afterArrivedMessages().then(() => run(job, post)));
}

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
  scope.addEventListener('message', (event) => receive(event.data, post));
}

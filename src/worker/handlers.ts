/**
 * The worker's handler table: one entry per request type of the protocol, typed from
 * `WorkerProtocol` so a handler can only return what the client is told to expect.
 */
import { setShaderF16Override } from './capabilities.js';
import type { Sam2Error } from '../errors.js';
import type { ProgressDetail } from '../events.js';
import { handleDecode, handleRender } from './decode.js';
import { embeddingsRejected, handleEncode } from './encode.js';
import { handleCocoAnnotations, handleCocoRle, handleExportImage, handlePolygons } from './exports.js';
import { loseDevice } from './gpu-device.js';
import { handleComparePreprocess } from './gpu-preprocess.js';
import { getImage, handlePrepareImage, imagesHeld, releaseHandle } from './images.js';
import { handleLoadModel, modelsHeld, releaseOwner, sessionsHeld } from './models.js';
import type { PartialOf, RequestOf, ResultOf, WorkerRequestType, WorkerStats } from './protocol.js';
import { runtimeWarmUpState } from './runtime-warmup.js';
import { threadsInUse } from './runtime.js';
import { getStore } from '../model/open-store.js';
import { counters } from './stats.js';
import { handleClearCache, handleListCache, handleStorageFault } from './storage.js';

/** What a handler may do besides returning its result. */
export interface RequestContext<Partial> {
  readonly id: number;
  /** Aborted when the page cancels the request. */
  readonly signal: AbortSignal;
  progress(detail: ProgressDetail): void;
  warning(warning: Sam2Error): void;
  /** Sends an early result; its typed arrays are transferred. */
  partial(value: Partial): void;
}

export interface Handler<K extends WorkerRequestType> {
  /**
   * Queued requests run one after another: onnxruntime sessions are not re-entrant, and the
   * order is what makes "latest request wins" cheap (one cancelled while queued never runs).
   * The others (model loads, which mostly wait on the network; bookkeeping) run at once.
   */
  readonly queued: boolean;
  run(request: RequestOf<K>, context: RequestContext<PartialOf<K>>): ResultOf<K> | Promise<ResultOf<K>>;
}

const now = <K extends WorkerRequestType>(run: Handler<K>['run']): Handler<K> => ({ queued: false, run });
const queued = <K extends WorkerRequestType>(run: Handler<K>['run']): Handler<K> => ({ queued: true, run });

async function stats(): Promise<WorkerStats> {
  return {
    ...counters,
    embeddingsRejected: embeddingsRejected(),
    modelStore: (await getStore()).kind,
    imagesHeld: imagesHeld(),
    modelsHeld: modelsHeld(),
    sessionsHeld: sessionsHeld(),
    threads: threadsInUse(),
    runtimeWarmUp: runtimeWarmUpState(),
  };
}

export const HANDLERS: { readonly [K in WorkerRequestType]: Handler<K> } = {
  'load-model': now((request, context) => handleLoadModel(request, context)),
  'list-cache': now(() => handleListCache()),
  'clear-cache': now((request) => handleClearCache(request)),
  'storage-fault': now((request) => handleStorageFault(request)),
  'prepare-image': now((request) => handlePrepareImage(request)),
  encode: queued((request, context) => handleEncode(request, context.progress)),
  decode: queued((request, context) => handleDecode(request, context.partial, context.signal)),
  render: queued((request, context) => handleRender(request, context.signal)),
  // Queued: a release must not overtake the decode of the same object sent before it.
  'release-object': queued((request) => void getImage(request.imageKey)?.objects.delete(request.objectId)),
  'release-image': now((request) => releaseHandle(request.imageKey)),
  // At once: a download nobody wants stops now; sessions are released behind the queued work.
  'release-owner': now((request) => releaseOwner(request.owner)),
  // Exports are queued too, so they see the result of every decode sent before them.
  'export-image': queued((request) => handleExportImage(request)),
  polygons: queued((request) => handlePolygons(request)),
  'coco-rle': queued((request) => handleCocoRle(request)),
  'coco-annotations': queued((request) => handleCocoAnnotations(request)),
  stats: now(() => stats()),
  crash: now(() => {
    setTimeout(() => {
      throw new Error('sam2-segmenter worker: crash requested');
    });
    // Never answered: the worker is gone before it could be.
    return new Promise<never>(() => {});
  }),
  'lose-device': now(() => loseDevice()),
  'simulate-adapter': now((request) => setShaderF16Override(request.shaderF16)),
  // Queued: it uses the GPU input buffer, which an encode leases.
  'compare-preprocess': queued((request) => handleComparePreprocess(request)),
};

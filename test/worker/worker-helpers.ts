/**
 * Helpers of the worker tests: a private worker (the built bundle, real onnxruntime), the
 * colour fixture model loaded in it, and generated scenes encoded under an image handle. The
 * tests talk protocol (protocol.ts) to it through the real WorkerClient.
 */
import { WorkerClient } from '../../src/client/worker-client.js';
import { fetchManifest, type ResolvedManifest } from '../../src/model/manifest.js';
import { COLOUR_MODEL, drawScene, SCENE, type Shape } from '../helpers.js';

/** A worker of its own, so its stats start at zero; terminate it in `after`. */
export const startWorker = () =>
  new WorkerClient(() => ({
    worker: new URL('/dist/sam2.worker.js', location.origin),
    wasm: new URL('/dist/ort-wasm-simd-threaded.wasm', location.origin),
    glue: new URL('/dist/ort-wasm-simd-threaded.mjs', location.origin),
  }));

export async function loadModel(client: WorkerClient, url = COLOUR_MODEL): Promise<ResolvedManifest> {
  const manifest = await fetchManifest(url);
  await client.request({ type: 'load-model', manifest, backend: 'wasm' });
  return manifest;
}

export const sceneBitmap = (width: number, height: number, shapes: Shape[] = SCENE) => createImageBitmap(drawScene(width, height, shapes));

/** Sends the encode of a bitmap (transferred) at once, so requests sent after it queue behind it. */
export const sendEncode = (client: WorkerClient, modelKey: string, imageKey: string, bitmap: ImageBitmap) =>
  client.request({ type: 'encode', modelKey, imageKey, source: { kind: 'bitmap', bitmap }, embeddingCache: 'none' }, { transfer: [bitmap] });

/** Encodes a generated scene under `imageKey`. */
export async function encodeScene(client: WorkerClient, modelKey: string, imageKey: string, width: number, height: number, options: { shapes?: Shape[] } = {}) {
  return sendEncode(client, modelKey, imageKey, await sceneBitmap(width, height, options.shapes));
}

/** A click at fractions of the image size. */
export const click = (fx: number, fy: number, width: number, height: number, label: 0 | 1 = 1) => ({
  points: [{ x: fx * width, y: fy * height, label }],
  box: null,
});

/** The error code a promise rejects with (or 'resolved'). */
export const outcome = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: { code?: string }) => error.code ?? String(error),
  );

/**
 * `sam2-segmenter/testing`: diagnostics and fault injection for tests and benchmarks, kept off
 * the element's public class. It talks to the same shared workers as the elements on the page,
 * so it must be loaded from the same build as the element (dist/testing.js next to
 * dist/sam2-segmenter.js).
 */
import type { Backend } from './events.js';
import type { StorageFault } from './model/chunk-store.js';
import type { ComparePreprocessResult, WorkerStats } from './worker/protocol.js';
import { getWorkerClient } from './client/worker-client.js';

export type { WorkerStats, StorageFault, ComparePreprocessResult };

/**
 * Diagnostics from a backend's shared worker: sessions created, models loaded, images encoded and
 * held, decodes run, WASM threads. Starts no worker if none is running (resolves null).
 */
export async function workerStats(backend: Backend = 'wasm'): Promise<WorkerStats | null> {
  const client = getWorkerClient(backend);
  return client.started ? client.request({ type: 'stats' }) : null;
}

/** Crashes the shared worker (as a wasm abort would) to exercise recovery. */
export function simulateWorkerCrash(backend: Backend = 'wasm'): void {
  const client = getWorkerClient(backend);
  if (client.started) void client.request({ type: 'crash' }).catch(() => {});
}

/** Loses the WebGPU worker's GPU device, as a driver reset would (elements report `backend-lost`). */
export function simulateDeviceLoss(): Promise<void> {
  return getWorkerClient('webgpu').request({ type: 'lose-device' });
}

/** From now on the worker's model cache behaves as if the disk were full or OPFS missing (null: normal again). */
export function simulateStorageFault(fault: StorageFault | null, backend: Backend = 'wasm'): Promise<void> {
  return getWorkerClient(backend).request({ type: 'storage-fault', fault });
}

/**
 * Makes the WebGPU worker see an adapter without (false) or with (true) `shader-f16` when it
 * chooses a `precision` (null: ask the real adapter again). Starts the WebGPU worker; set it
 * before the model loads.
 */
export function simulateAdapter(features: { shaderF16: boolean | null }): Promise<void> {
  return getWorkerClient('webgpu').request({ type: 'simulate-adapter', shaderF16: features.shaderF16 });
}

/** How many times a backend's worker was started on this page, restarts included (0: never). */
export function workerStarts(backend: Backend = 'wasm'): number {
  return getWorkerClient(backend).generation;
}

/**
 * The WebGPU worker's encoder input for an image made both ways, on the CPU (canvas) and on the
 * GPU (null when the image would take the CPU path): planar CHW float32, 1x3x1024x1024. Needs a
 * model loaded on WebGPU (its device).
 */
export function comparePreprocess(image: Blob): Promise<ComparePreprocessResult> {
  return getWorkerClient('webgpu').request({ type: 'compare-preprocess', source: { kind: 'blob', blob: image } });
}

/**
 * onnxruntime-web set-up for the worker: where its WASM lives, how many threads, and session
 * creation with errors mapped to the package's codes.
 */
import * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';

let configured = false;

/** Threads need SharedArrayBuffer, i.e. a cross-origin isolated page; ORT silently uses 1 otherwise. */
export function wasmThreads(): number {
  if (!self.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 8));
}

export function configureRuntime(): typeof ort {
  if (configured) return ort;
  configured = true;
  // The runtime files are shipped next to this worker bundle. Giving ORT the .wasm URL keeps the
  // glue that is bundled in this file; the .mjs is only fetched when this worker was started
  // from a blob: URL (the CDN case) and its pthreads need a same-origin script.
  ort.env.wasm.wasmPaths = {
    wasm: new URL('./ort-wasm-simd-threaded.wasm', import.meta.url).href,
    mjs: new URL('./ort-wasm-simd-threaded.mjs', import.meta.url).href,
  };
  ort.env.wasm.numThreads = wasmThreads();
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return ort;
}

export async function createSession(bytes: Uint8Array, role: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
    });
  } catch (cause) {
    throw new Sam2Error('model-contract', `The ${role} is not a model onnxruntime can load: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
}

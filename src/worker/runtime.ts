/**
 * onnxruntime-web set-up for the worker: where its WASM lives, how many threads, and session
 * creation with errors mapped to the package's codes.
 */
// The WebGPU worker bundle is this same code with 'onnxruntime-web/wasm' aliased to
// 'onnxruntime-web/webgpu' and __SAM2_EP__ defined as "webgpu" (see rollup.config.mjs): the plain
// WASM build is smaller, starts faster and uses less memory, so it is the default.
import * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import type { Backend } from '../events.js';

declare const __SAM2_EP__: Backend | undefined;
export const EXECUTION_PROVIDER: Backend = typeof __SAM2_EP__ === 'string' ? __SAM2_EP__ : 'wasm';
const RUNTIME_FILE = EXECUTION_PROVIDER === 'webgpu' ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';

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
    wasm: new URL(`./${RUNTIME_FILE}.wasm`, import.meta.url).href,
    mjs: new URL(`./${RUNTIME_FILE}.mjs`, import.meta.url).href,
  };
  ort.env.wasm.numThreads = wasmThreads();
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return ort;
}

/** The WebGPU bundle needs an adapter; this worker checks before creating sessions. */
export async function checkBackend(): Promise<void> {
  if (EXECUTION_PROVIDER !== 'webgpu') return;
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown | null> } }).gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  if (!adapter) throw new Sam2Error('backend-unavailable', 'WebGPU is not available in this browser (no adapter)');
}

/** `externalData`: weights stored beside the graph, by the location the graph refers to. */
export async function createSession(
  bytes: Uint8Array,
  role: string,
  externalData: Array<{ path: string; data: Uint8Array }> = [],
): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      executionProviders: [EXECUTION_PROVIDER],
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
      ...(externalData.length ? { externalData } : {}),
    });
  } catch (cause) {
    throw new Sam2Error('model-contract', `The ${role} is not a model onnxruntime can load: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
}

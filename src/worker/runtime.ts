/**
 * onnxruntime-web set-up for the worker: where its WASM lives, how many threads, and session
 * creation with errors mapped to the package's codes.
 */
// The WebGPU worker bundle is this same code with 'onnxruntime-web/wasm' aliased to
// 'onnxruntime-web/webgpu' and __SAM2_EP__ defined as "webgpu" (see rollup.config.mjs): the plain
// WASM build is smaller, starts faster and uses less memory, so it is the default.
import * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import { allowOwnThreadWorkers } from './thread-policy.js';
import type { Backend } from '../events.js';

declare const __SAM2_EP__: Backend | undefined;
export const EXECUTION_PROVIDER: Backend = typeof __SAM2_EP__ === 'string' ? __SAM2_EP__ : 'wasm';
const RUNTIME_FILE = EXECUTION_PROVIDER === 'webgpu' ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';

let configured = false;

/**
 * One thread per core the browser reports, up to 16. Threads need SharedArrayBuffer, i.e. a
 * cross-origin isolated page; ORT silently uses 1 otherwise. On a 16-core H200 host (issue 13) the
 * samexporter tiny encoder took 2.18 s with 16 threads against 3.35 s with the earlier cap of 8.
 */
export const MAX_WASM_THREADS = 16;
export function wasmThreads(): number {
  if (!threadsPossible()) return 1;
  return Math.max(1, Math.min(navigator.hardwareConcurrency || 1, MAX_WASM_THREADS));
}

/**
 * Cross-origin isolation is not enough: WebKitGTK 2.50 reports `crossOriginIsolated === true`
 * with no `SharedArrayBuffer` global (issue 11), and onnxruntime then quietly runs 1 thread.
 */
function threadsPossible(): boolean {
  return self.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
}

/**
 * The threads onnxruntime really runs: once it started, what it kept in `env.wasm.numThreads`
 * (it writes 1 back there when it finds no usable wasm threads); before that, what it will get.
 */
export function threadsInUse(): number {
  if (!configured) return wasmThreads();
  const chosen = ort.env.wasm.numThreads;
  return typeof chosen === 'number' && chosen >= 1 ? chosen : 1;
}

/**
 * Where onnxruntime's files are: the page puts their URLs on this worker's URL
 * (`#wasm=...&glue=...`, see client/worker-start.ts) because a bundler renames them; without
 * that, next to this script (a copy of dist/ served as is).
 */
function runtimePaths(): { wasm: string; mjs?: string } {
  const given = new URLSearchParams(self.location.hash.slice(1));
  const here = (file: string) => new URL(file, import.meta.url).href;
  const wasm = given.get('wasm') ?? here(`${RUNTIME_FILE}.wasm`);
  // Same-origin, onnxruntime uses the glue bundled into this file (naming the .mjs would make it
  // import() that file instead). From a blob: URL (the CDN case) its thread workers need a
  // same-origin script, so it fetches the glue and starts them from a blob: of it.
  if (self.location.protocol !== 'blob:') return { wasm };
  return { wasm, mjs: given.get('glue') ?? here(`${RUNTIME_FILE}.mjs`) };
}

export function configureRuntime(): typeof ort {
  if (configured) return ort;
  configured = true;
  allowOwnThreadWorkers();
  ort.env.wasm.wasmPaths = runtimePaths();
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
      // WebGPU: the encoder's embeddings stay on the GPU for the decoder (gpu-embeddings.ts).
      ...(EXECUTION_PROVIDER === 'webgpu' && role === 'encoder' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
      ...(externalData.length ? { externalData } : {}),
    });
  } catch (cause) {
    const message = String((cause as Error)?.message ?? cause);
    throw runtimeStartFailure(message, cause) ?? new Sam2Error('model-contract', `The ${role} is not a model onnxruntime can load: ${message}`, { cause });
  }
}

/**
 * onnxruntime starts its WebAssembly runtime on the first session; when that fails the error says
 * "no available backend found" and the model was never looked at, so it is not `model-contract`.
 */
function runtimeStartFailure(message: string, cause: unknown): Sam2Error | null {
  if (!/no available backend found/i.test(message)) return null;
  const paths = ort.env.wasm.wasmPaths;
  const wasm = typeof paths === 'object' && paths?.wasm ? String(paths.wasm) : `${RUNTIME_FILE}.wasm`;
  let reason: string;
  // Chromium: "Refused to compile ... 'unsafe-eval' is not an allowed source"; Firefox: "... blocked by CSP".
  if (/wasm-eval|unsafe-eval|Refused to compile|blocked by CSP|Content Security Policy/i.test(message)) {
    reason =
      "the Content-Security-Policy blocks WebAssembly: add 'wasm-unsafe-eval' to script-src (in the page's policy, and in the worker script's if its responses carry one)";
  } else if (/dynamically imported module/i.test(message)) {
    // Only when this worker runs from a blob: (the CDN case) with threads: the glue is imported as a blob: too.
    reason = "its thread glue could not be imported from a blob: URL (a Content-Security-Policy must allow blob: in script-src when the element comes from another origin)";
  } else if (/magic word|fetching of the wasm failed|failed to load wasm|Failed to fetch|NetworkError/i.test(message)) {
    reason = `its WebAssembly file ${wasm} could not be loaded (missing, or not a .wasm file)`;
  } else {
    reason = 'its WebAssembly runtime failed to start';
  }
  return new Sam2Error('backend-unavailable', `onnxruntime could not start: ${reason}. ${message}`, { cause, recoverable: false });
}

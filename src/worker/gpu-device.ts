/**
 * WebGPU device loss. A lost device (driver reset, GPU process crash, another tab's hang) takes
 * every session and GPU buffer of this worker with it; the page is told at once, not at the next
 * click, and every later request fails with the same error (the page moves to WASM).
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import { EXECUTION_PROVIDER, configureRuntime } from './runtime.js';

interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

/** onnxruntime's device; typed as a Promise, but some builds hand back the device itself. */
const gpuDevice = async (ortModule: typeof ort): Promise<GpuDeviceLike | null> => {
  const device = (await (ortModule.env.webgpu?.device as unknown)) as GpuDeviceLike | undefined;
  return device && typeof device.destroy === 'function' ? device : null;
};

let lost: Sam2Error | null = null;
let watching = false;
const listeners = new Set<(error: Sam2Error) => void>();

/** Set once the GPU device is gone. */
export const deviceLostError = (): Sam2Error | null => lost;

/** Called once when the device is lost (the worker drops what it held and tells the page). */
export function onDeviceLost(listener: (error: Sam2Error) => void) {
  listeners.add(listener);
}

/** Starts watching onnxruntime's device (after the first WebGPU session exists). */
export function watchGpuDevice(ortModule: typeof ort) {
  if (EXECUTION_PROVIDER !== 'webgpu' || watching) return;
  watching = true;
  void gpuDevice(ortModule)
    .then((device) => device?.lost ?? new Promise<never>(() => {}))
    .then((info) => {
      lost = new Sam2Error('backend-lost', `The WebGPU device was lost (${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}); continuing on WASM`);
      for (const listener of listeners) listener(lost);
    }, () => {});
}

/** Test hook: destroys the device as a driver reset would. */
export async function loseDevice(): Promise<void> {
  if (EXECUTION_PROVIDER !== 'webgpu') throw new Sam2Error('invalid-argument', 'Only the WebGPU worker has a GPU device to lose');
  const device = await gpuDevice(configureRuntime());
  if (!device) throw new Sam2Error('not-ready', 'onnxruntime has no GPU device yet (no model loaded on WebGPU)');
  device.destroy();
}

/**
 * Which onnxruntime backend to use. `auto` takes WebGPU only with a real (hardware) adapter:
 * software adapters such as SwiftShader are far slower than WASM for these models.
 */
import type { Backend } from '../events.js';
import type { BackendPreference } from '../worker/protocol.js';

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean };
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

let hardwareAdapter: Promise<boolean> | undefined;
/** Set when a WebGPU device was lost on this page: from then on every element runs on WASM. */
let webgpuLost = false;

/** After a device loss, WebGPU is not trusted again on this page (drivers that reset once tend to again). */
export function markWebGpuLost() {
  webgpuLost = true;
}

async function hasHardwareAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  if (!gpu) return false;
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return false;
    return !(adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter);
  } catch {
    return false;
  }
}

export async function resolveBackend(preference: BackendPreference): Promise<Backend> {
  if (webgpuLost || preference === 'wasm') return 'wasm';
  if (preference === 'webgpu') return preference;
  hardwareAdapter ??= hasHardwareAdapter();
  return (await hardwareAdapter) ? 'webgpu' : 'wasm';
}

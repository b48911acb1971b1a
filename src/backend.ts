/**
 * Which onnxruntime backend to use. `auto` takes WebGPU only with a real (hardware) adapter:
 * software adapters such as SwiftShader are far slower than WASM for these models.
 */
import type { Backend } from './events.js';
import type { BackendPreference } from './worker/protocol.js';

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean };
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

let hardwareAdapter: Promise<boolean> | undefined;

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
  if (preference === 'wasm' || preference === 'webgpu') return preference;
  hardwareAdapter ??= hasHardwareAdapter();
  return (await hardwareAdapter) ? 'webgpu' : 'wasm';
}

/**
 * What this worker's backend can run, for `precision="auto"` (model/precision.ts): the WebGPU
 * adapter's `shader-f16` feature, asked once. onnxruntime asks `requestAdapter()` with no options
 * too, so this is the adapter its sessions get.
 */
import type { RuntimeCapabilities } from '../model/precision.js';
import { EXECUTION_PROVIDER } from './runtime.js';

interface AdapterLike {
  features: { has(name: string): boolean };
}

let probed: Promise<boolean> | null = null;
/** Test hook (`simulateAdapter` in testing.ts): pretend the adapter lacks (or has) `shader-f16`. */
let shaderF16Override: boolean | null = null;

export function setShaderF16Override(value: boolean | null) {
  shaderF16Override = value;
}

async function adapterHasShaderF16(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  return adapter?.features.has('shader-f16') ?? false;
}

export async function runtimeCapabilities(): Promise<RuntimeCapabilities> {
  if (EXECUTION_PROVIDER !== 'webgpu') return { backend: EXECUTION_PROVIDER, shaderF16: false };
  probed ??= adapterHasShaderF16();
  const shaderF16 = shaderF16Override ?? (await probed);
  return { backend: EXECUTION_PROVIDER, shaderF16 };
}

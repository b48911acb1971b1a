/**
 * The onnxruntime backends, as one value list each (no imports: events, protocol, model and
 * element modules all use them without depending on each other).
 */

/** The onnxruntime build a worker runs. */
export type Backend = 'webgpu' | 'wasm';

/** The `backend` attribute's values: `auto` picks WebGPU when a hardware adapter is usable. */
export const BACKENDS = ['auto', 'webgpu', 'wasm'] as const;
export type BackendPreference = (typeof BACKENDS)[number];

/**
 * Which variant files of a preset to load (`precision` attribute), and what `auto` picks.
 *
 * onnx-community exports ship each graph as fp32 (`vision_encoder.onnx`), fp16 (`_fp16`), 8-bit
 * dynamically quantised (`_quantized`) and 4-bit weights with fp16 compute (`_q4f16`); inputs and
 * outputs stay float32 in all of them, so the element feeds them all alike.
 *
 * `auto` (measured: docs/models.md "Precision"):
 * - WebGPU with `shader-f16`: fp16 encoder (half the download, and the encoder is where the time
 *   goes), fp32 decoder: fp16 decoders on WebGPU are reported to give broken masks, and the
 *   decoder is small (21 MB) and fast either way.
 * - WebGPU without `shader-f16` (e.g. Dawn on NVIDIA's Vulkan driver): fp32. onnxruntime refuses
 *   fp16 sessions there ("Program Transpose requires f16").
 * - WASM: fp32. The fp16 encoder runs no faster on WASM (its kernels compute in fp32 after casts)
 *   and the quantised encoder's masks differ from SAM 2's.
 * Whatever is picked, an fp16 session that fails to create falls back to fp32.
 */
import type { Backend } from '../backends.js';

export const MODEL_PRECISIONS = ['auto', 'fp32', 'fp16', 'q8', 'q4f16'] as const;
export type ModelPrecision = (typeof MODEL_PRECISIONS)[number];
/** A precision files exist in (everything but `auto`). */
export type FilePrecision = Exclude<ModelPrecision, 'auto'>;
export const FILE_PRECISIONS: readonly FilePrecision[] = ['fp32', 'fp16', 'q8', 'q4f16'];

export const isModelPrecision = (value: unknown): value is ModelPrecision =>
  typeof value === 'string' && (MODEL_PRECISIONS as readonly string[]).includes(value);

/** Encoder and decoder precision: they may differ (see `auto`). */
export interface PrecisionPair {
  encoder: FilePrecision;
  decoder: FilePrecision;
}

/** The Hugging Face file-name suffix of each precision (`vision_encoder<suffix>.onnx`). */
export const PRECISION_SUFFIX: Record<FilePrecision, string> = { fp32: '', fp16: '_fp16', q8: '_quantized', q4f16: '_q4f16' };

/** Precisions whose kernels compute in half precision on WebGPU: they need `shader-f16`. */
const needsShaderF16 = (precision: FilePrecision) => precision === 'fp16' || precision === 'q4f16';

export interface RuntimeCapabilities {
  backend: Backend;
  /** The WebGPU adapter has `shader-f16` (false for WASM). */
  shaderF16: boolean;
}

const FP32: PrecisionPair = { encoder: 'fp32', decoder: 'fp32' };

/** What `auto` loads on a backend (see the file comment for why). */
export function autoPrecision(capabilities: RuntimeCapabilities): PrecisionPair {
  if (capabilities.backend === 'webgpu' && capabilities.shaderF16) return { encoder: 'fp16', decoder: 'fp32' };
  return FP32;
}

const samePair = (a: PrecisionPair, b: PrecisionPair) => a.encoder === b.encoder && a.decoder === b.decoder;

/**
 * The precisions to try, in order, for a requested one: what was asked for (or what `auto`
 * picks), then fp32 when that may fail to create. On WebGPU without `shader-f16`, an fp16 or
 * q4f16 request goes straight to fp32: its sessions could not be created there, and downloading
 * them first would waste the visitor's bandwidth.
 */
export function precisionPlan(requested: ModelPrecision, capabilities: RuntimeCapabilities): PrecisionPair[] {
  let first: PrecisionPair = requested === 'auto' ? autoPrecision(capabilities) : { encoder: requested, decoder: requested };
  if (capabilities.backend === 'webgpu' && !capabilities.shaderF16) {
    first = {
      encoder: needsShaderF16(first.encoder) ? 'fp32' : first.encoder,
      decoder: needsShaderF16(first.decoder) ? 'fp32' : first.decoder,
    };
  }
  const mayFail = needsShaderF16(first.encoder) || needsShaderF16(first.decoder);
  return mayFail && !samePair(first, FP32) ? [first, FP32] : [first];
}

/** The precision a set of files is in, from its file names (for manifests that don't say). */
export function precisionOfFile(url: string): FilePrecision {
  const file = url.slice(url.lastIndexOf('/') + 1).replace(/\.(onnx|ort)(\.\d+)?$/, '');
  if (/_q4f16$/.test(file)) return 'q4f16';
  if (/_(quantized|q8|int8|uint8)$|\.q8$/.test(file)) return 'q8';
  if (/_fp16$|\.fp16$/.test(file)) return 'fp16';
  return 'fp32';
}

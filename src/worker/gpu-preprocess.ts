/**
 * The encoder's input made on the GPU (WebGPU worker only): resize + normalise in one compute pass,
 * written straight into the GPU buffer the encoder reads.
 *
 * Why: on the CPU (preprocess.ts toModelInput) the 1024x1024 squash costs a canvas drawImage, a
 * 4 MB getImageData readback, a JS loop into a 12 MB planar Float32Array and onnxruntime's upload
 * of it: 21.6 ms per image on the H200 host (bench/results/gpu-2026-12-02.md) beside a ~120 ms
 * encoder. Here the decoded ImageBitmap goes up once (`copyExternalImageToTexture`, natural size)
 * and one dispatch writes the normalised CHW float32 input into a storage buffer that is handed
 * to the encoder as it is (`Tensor.fromGpuBuffer`): no readback, no float array, no upload.
 *
 * Filter (what SAM 2's `Resize((1024, 1024))` does on a float tensor: torchvision's antialiased
 * bilinear, the same as PIL's BILINEAR resample): per axis, with scale = in / out,
 *   centre(o) = (o + 0.5) * scale,  s = max(scale, 1)
 *   taps i in [floor(centre - s + 0.5), floor(centre + s + 0.5)) clamped to [0, in)
 *   w(i) = max(0, 1 - |i + 0.5 - centre| / s), normalised to sum 1 over the taps.
 * A triangle whose support grows with the downscale factor (an area-like average, no aliasing);
 * when upscaling (s = 1) it is plain bilinear with half-pixel centres and clamped edges. The 2-D
 * weight is the product of the two axes' (exact, separable), summed directly (up to 17x17 taps at
 * the 8192 texture limit). Then v = (rgb - mean) / std with ImageNet mean/std, rgb in [0, 1].
 *
 * Alpha: the texture is filled premultiplied, i.e. composited over black, which is what the CPU
 * path's opaque canvas gives a transparent pixel (alpha ignored after that). EXIF orientation is
 * the bitmap's own (decodeImage decodes with `imageOrientation: 'from-image'`, `premultiplyAlpha:
 * 'none'`).
 *
 * Limits: an image wider or taller than the device's `maxTextureDimension2D` (8192 typically; the
 * product takes up to 16384²) takes the CPU path (`gpuPreprocessFallbacks`).
 *
 * Lifetime: one output buffer (12 MB), the pipeline and the source texture (while the next image
 * has the same size) are reused. The buffer is leased to one encode at a time: `release()` after
 * `encoder.run` has resolved (onnxruntime submits the run's GPU work before then, and the queue
 * runs work in submission order, so a later dispatch never overwrites what the encoder reads). A
 * second lease while one is out (never, with serial encodes) gets a buffer of its own, destroyed
 * at its release, instead of overwriting the leased one.
 */
import type * as ort from 'onnxruntime-web/wasm';
import { MODEL_SIZE } from '../geometry/model-frame.js';
import { Sam2Error } from '../errors.js';
import { onDeviceLost } from './gpu-device.js';
import { decodeImage, toModelInput } from './preprocess.js';
import type { ComparePreprocessRequest, ComparePreprocessResult } from './protocol.js';
import { EXECUTION_PROVIDER, configureRuntime } from './runtime.js';
import { counters } from './stats.js';

// WebGPU's numeric flags (the worker's TypeScript lib has no WebGPU types).
const BUFFER_MAP_READ = 0x1;
const BUFFER_COPY_SRC = 0x4;
const BUFFER_COPY_DST = 0x8;
const BUFFER_UNIFORM = 0x40;
const BUFFER_STORAGE = 0x80;
const TEXTURE_COPY_DST = 0x2;
const TEXTURE_BINDING = 0x4;
const TEXTURE_RENDER_ATTACHMENT = 0x10;
const MAP_READ = 0x1;

/* The few WebGPU shapes used here. */
interface GpuBuffer {
  destroy(): void;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}
interface GpuTexture {
  width: number;
  height: number;
  destroy(): void;
  createView(): unknown;
}
interface GpuPass {
  setPipeline(pipeline: unknown): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y: number): void;
  end(): void;
}
interface GpuEncoder {
  beginComputePass(): GpuPass;
  copyBufferToBuffer(source: GpuBuffer, sourceOffset: number, destination: GpuBuffer, destinationOffset: number, size: number): void;
  finish(): unknown;
}
interface GpuDevice {
  limits: { maxTextureDimension2D: number };
  queue: {
    writeBuffer(buffer: GpuBuffer, offset: number, data: ArrayBufferView): void;
    copyExternalImageToTexture(source: { source: ImageBitmap }, destination: { texture: GpuTexture; premultipliedAlpha: boolean }, size: [number, number]): void;
    submit(commands: unknown[]): void;
    onSubmittedWorkDone(): Promise<void>;
  };
  createBuffer(descriptor: { size: number; usage: number }): GpuBuffer;
  createTexture(descriptor: { size: [number, number]; format: string; usage: number }): GpuTexture;
  createShaderModule(descriptor: { code: string }): unknown;
  createComputePipeline(descriptor: { layout: 'auto'; compute: { module: unknown; entryPoint: string } }): { getBindGroupLayout(index: number): unknown };
  createBindGroup(descriptor: { layout: unknown; entries: Array<{ binding: number; resource: unknown }> }): unknown;
  createCommandEncoder(): GpuEncoder;
}

const PLANE = MODEL_SIZE * MODEL_SIZE;
const OUTPUT_BYTES = 3 * PLANE * 4;
const WORKGROUP = 16;

export const SHADER = /* wgsl */ `
struct Params { src_w: u32, src_h: u32, scale_x: f32, scale_y: f32 }
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const SIZE: u32 = ${MODEL_SIZE}u;
const MEAN = vec3f(0.485, 0.456, 0.406);
const STD = vec3f(0.229, 0.224, 0.225);

// Taps [lo, hi) of output index o along an axis of n input pixels; centre and support beside.
struct Span { lo: i32, hi: i32, centre: f32, support: f32 }
fn span(o: u32, scale: f32, n: u32) -> Span {
  let centre = (f32(o) + 0.5) * scale;
  let support = max(scale, 1.0);
  let lo = max(i32(floor(centre - support + 0.5)), 0);
  let hi = min(i32(floor(centre + support + 0.5)), i32(n));
  return Span(lo, hi, centre, support);
}
fn weight(i: i32, s: Span) -> f32 {
  return max(0.0, 1.0 - abs(f32(i) + 0.5 - s.centre) / s.support);
}

@compute @workgroup_size(${WORKGROUP}, ${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= SIZE || id.y >= SIZE) { return; }
  let sx = span(id.x, params.scale_x, params.src_w);
  let sy = span(id.y, params.scale_y, params.src_h);
  var acc = vec3f(0.0);
  var total = 0.0;
  for (var y = sy.lo; y < sy.hi; y++) {
    let wy = weight(y, sy);
    if (wy == 0.0) { continue; }
    var row = vec3f(0.0);
    var row_total = 0.0;
    for (var x = sx.lo; x < sx.hi; x++) {
      let wx = weight(x, sx);
      row += wx * textureLoad(src, vec2i(x, y), 0).rgb;
      row_total += wx;
    }
    acc += wy * row;
    total += wy * row_total;
  }
  let v = (acc / total - MEAN) / STD;
  let i = id.y * SIZE + id.x;
  dst[i] = v.r;
  dst[${PLANE}u + i] = v.g;
  dst[${2 * PLANE}u + i] = v.b;
}
`;

interface State {
  device: GpuDevice;
  pipeline: ReturnType<GpuDevice['createComputePipeline']>;
  params: GpuBuffer;
  output: GpuBuffer;
  leased: boolean;
  texture: GpuTexture | null;
}
let state: State | null = null;

onDeviceLost(() => {
  // Everything went with the device.
  state = null;
});

/** The encoder input on the GPU; `release()` once the encoder run that reads it has resolved. */
export interface GpuInput {
  tensor: ort.Tensor;
  /** The worker's time to upload the bitmap and submit the dispatch (the GPU runs it before the encoder). */
  dispatchMs: number;
  release(): void;
}

/** onnxruntime's GPU device, once a WebGPU session made it (null before, and on the WASM worker). */
async function ortDevice(): Promise<GpuDevice | null> {
  if (EXECUTION_PROVIDER !== 'webgpu') return null;
  const device = (await (configureRuntime().env.webgpu?.device as unknown)) as GpuDevice | undefined;
  return device && typeof device.createBuffer === 'function' && typeof device.queue?.copyExternalImageToTexture === 'function' ? device : null;
}

function stateFor(device: GpuDevice): State {
  if (state?.device === device) return state;
  const module = device.createShaderModule({ code: SHADER });
  state = {
    device,
    pipeline: device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } }),
    params: device.createBuffer({ size: 16, usage: BUFFER_UNIFORM | BUFFER_COPY_DST }),
    output: device.createBuffer({ size: OUTPUT_BYTES, usage: BUFFER_STORAGE | BUFFER_COPY_SRC | BUFFER_COPY_DST }),
    leased: false,
    texture: null,
  };
  return state;
}

/** Whether this bitmap can be preprocessed on this device (its texture fits). */
const fits = (device: GpuDevice, bitmap: ImageBitmap) =>
  bitmap.width <= device.limits.maxTextureDimension2D && bitmap.height <= device.limits.maxTextureDimension2D;

/**
 * Uploads the bitmap and dispatches resize + normalise into a GPU buffer, wrapped as the encoder's
 * input tensor; null when there is no device yet or the image is larger than a texture may be
 * (the caller takes the CPU path).
 */
export async function gpuModelInput(bitmap: ImageBitmap): Promise<GpuInput | null> {
  const device = await ortDevice();
  if (!device) return null;
  if (!fits(device, bitmap)) {
    counters.gpuPreprocessFallbacks++;
    return null;
  }
  counters.gpuPreprocessed++;
  return dispatch(device, bitmap);
}

function dispatch(device: GpuDevice, bitmap: ImageBitmap): GpuInput & { output: GpuBuffer } {
  const t0 = performance.now();
  const s = stateFor(device);
  const { width, height } = bitmap;
  if (!s.texture || s.texture.width !== width || s.texture.height !== height) {
    // Only this module's dispatches read the texture, and they run in queue order: replacing it is safe.
    s.texture?.destroy();
    s.texture = device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: TEXTURE_BINDING | TEXTURE_COPY_DST | TEXTURE_RENDER_ATTACHMENT });
  }
  device.queue.copyExternalImageToTexture({ source: bitmap }, { texture: s.texture, premultipliedAlpha: true }, [width, height]);
  const own = s.leased;
  const output = own ? device.createBuffer({ size: OUTPUT_BYTES, usage: BUFFER_STORAGE | BUFFER_COPY_SRC | BUFFER_COPY_DST }) : s.output;
  s.leased = true;
  const params = new ArrayBuffer(16);
  new Uint32Array(params, 0, 2).set([width, height]);
  new Float32Array(params, 8, 2).set([width / MODEL_SIZE, height / MODEL_SIZE]);
  device.queue.writeBuffer(s.params, 0, new Uint8Array(params));
  const group = device.createBindGroup({
    layout: s.pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: s.texture.createView() },
      { binding: 1, resource: { buffer: output } },
      { binding: 2, resource: { buffer: s.params } },
    ],
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(s.pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(MODEL_SIZE / WORKGROUP, MODEL_SIZE / WORKGROUP);
  pass.end();
  device.queue.submit([encoder.finish()]);
  const tensor = configureRuntime().Tensor.fromGpuBuffer(output as unknown as ort.Tensor.GpuBufferType, {
    dataType: 'float32',
    dims: [1, 3, MODEL_SIZE, MODEL_SIZE],
  });
  let released = false;
  return {
    tensor,
    output,
    dispatchMs: performance.now() - t0,
    release() {
      if (released) return;
      released = true;
      if (own) output.destroy();
      else if (state === s) s.leased = false;
    },
  };
}

/**
 * Test hook: the GPU input for this bitmap read back (planar CHW float32), or null when the GPU
 * path would not be taken; not counted in the stats.
 */
export async function readGpuModelInput(bitmap: ImageBitmap): Promise<Float32Array | null> {
  const device = await ortDevice();
  if (!device || !fits(device, bitmap)) return null;
  const input = dispatch(device, bitmap);
  try {
    const output = input.output;
    const staging = device.createBuffer({ size: OUTPUT_BYTES, usage: BUFFER_MAP_READ | BUFFER_COPY_DST });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(output, 0, staging, 0, OUTPUT_BYTES);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MAP_READ);
    const data = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    return data;
  } finally {
    input.release();
  }
}

/** Test hook `compare-preprocess`: one image's encoder input made both ways. */
export async function handleComparePreprocess(request: ComparePreprocessRequest): Promise<ComparePreprocessResult> {
  if (!(await ortDevice())) throw new Sam2Error('not-ready', 'No GPU device (the WebGPU worker makes one with its first model)');
  const bitmap = await decodeImage(request.source);
  try {
    const cpu = toModelInput(bitmap);
    const gpu = await readGpuModelInput(bitmap);
    return { width: bitmap.width, height: bitmap.height, cpu, gpu };
  } finally {
    if (request.source.kind !== 'bitmap') bitmap.close();
  }
}

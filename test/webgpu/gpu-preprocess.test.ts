/**
 * The WebGPU worker's encoder input made on the GPU (src/worker/gpu-preprocess.ts), on
 * SwiftShader: the same input as the CPU path's canvas resize (and as an exact JS reference of
 * torchvision's antialiased bilinear resize, what SAM 2's transforms do), the masks still right,
 * and an image wider than a texture may be still encoded (on the CPU).
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { ImageEncodeDetail } from '../../src/events.js';
import { SCENE, createSegmenter, drawScene, groundTruth, iou, nextEvent, sceneUrl } from '../helpers.js';

const SLOW = { timeout: 240000 };
const SIZE = 1024;
const PLANE = SIZE * SIZE;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
/** One 8-bit step of the input, in normalised units (the largest: the smallest std). */
const STEP = 1 / 255 / Math.min(...STD);

/** Per output index along one axis: the first tap and the normalised triangle weights (torchvision antialias=True, PIL). */
function axisWeights(inSize: number, outSize: number): Array<{ lo: number; w: number[] }> {
  const scale = inSize / outSize;
  const support = Math.max(scale, 1);
  const out = [];
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(Math.floor(centre - support + 0.5), 0);
    const hi = Math.min(Math.floor(centre + support + 0.5), inSize);
    const w = [];
    for (let i = lo; i < hi; i++) w.push(Math.max(0, 1 - Math.abs(i + 0.5 - centre) / support));
    const sum = w.reduce((a, b) => a + b, 0);
    out.push({ lo, w: w.map((v) => v / sum) });
  }
  return out;
}

/**
 * Exact reference: RGBA (composited over black) → torchvision `Resize((1024, 1024), antialias=True)`
 * on the float image (no rounding between the passes) → ImageNet-normalised planar CHW.
 */
function reference(image: ImageData): Float32Array {
  const { width, height, data } = image;
  const wx = axisWeights(width, SIZE);
  const wy = axisWeights(height, SIZE);
  const rows = new Float32Array(height * SIZE * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < SIZE; x++) {
      const { lo, w } = wx[x];
      let r = 0, g = 0, b = 0;
      for (let k = 0; k < w.length; k++) {
        const p = 4 * (y * width + lo + k);
        const a = (w[k] * data[p + 3]) / 255;
        r += a * data[p];
        g += a * data[p + 1];
        b += a * data[p + 2];
      }
      const q = 3 * (y * SIZE + x);
      rows[q] = r;
      rows[q + 1] = g;
      rows[q + 2] = b;
    }
  }
  const out = new Float32Array(3 * PLANE);
  for (let y = 0; y < SIZE; y++) {
    const { lo, w } = wy[y];
    for (let x = 0; x < SIZE; x++) {
      const v = [0, 0, 0];
      for (let k = 0; k < w.length; k++) {
        const q = 3 * ((lo + k) * SIZE + x);
        for (let c = 0; c < 3; c++) v[c] += w[k] * rows[q + c];
      }
      for (let c = 0; c < 3; c++) out[c * PLANE + y * SIZE + x] = (v[c] / 255 - MEAN[c]) / STD[c];
    }
  }
  return out;
}

function diff(a: Float32Array, b: Float32Array) {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

/** Seeded noise over the scene: texture at every scale, the hard case for a downscale filter. */
function texturedScene(width: number, height: number, alpha = false): ImageData {
  const image = drawScene(width, height);
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const d = image.data;
  for (let p = 0; p < d.length; p += 4) {
    const n = (random() - 0.5) * 80;
    for (let c = 0; c < 3; c++) d[p + c] = d[p + c] + n;
    // Transparent: a checkerboard of 16-px cells with alpha 0 (their colour then does not survive the PNG).
    if (alpha && (((p / 4) % width >> 4) + ((p / 4 / width) >> 4)) % 2 === 1) d[p + 3] = 0;
  }
  if (alpha) for (let p = 0; p < d.length; p += 4) if (d[p + 3] === 0) d[p] = d[p + 1] = d[p + 2] = 0;
  return image;
}

async function png(image: ImageData): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

describe('<sam2-segmenter> WebGPU preprocessing', function () {
  this.timeout(600000);
  let element: ReturnType<typeof createSegmenter>;

  before(async () => {
    // The worker's GPU device comes with its first WebGPU model.
    element = createSegmenter();
    element.backend = 'webgpu';
    element.embeddingCache = 'none';
    const encoded = nextEvent<ImageEncodeDetail>(element, 'image-encode', SLOW);
    element.src = await sceneUrl(1000, 600);
    await encoded;
  });
  after(() => element.remove());

  it('resizes and normalises on the GPU; the masks are still right', async () => {
    const [width, height] = [1200, 800];
    const before = (await testing.workerStats('webgpu'))!;
    const encoded = nextEvent<ImageEncodeDetail>(element, 'image-encode', SLOW);
    element.src = await sceneUrl(width, height);
    const { detail } = await encoded;
    const after = (await testing.workerStats('webgpu'))!;
    expect(after.gpuPreprocessed - before.gpuPreprocessed, 'the encode took the GPU path').to.equal(1);
    expect(after.gpuPreprocessFallbacks - before.gpuPreprocessFallbacks).to.equal(0);
    expect(detail.timings?.preprocess, 'the dispatch time is reported').to.be.a('number').and.at.least(0);
    element.clear();
    const result = await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
    expect(iou(result!.mask!, groundTruth(width, height, [SCENE[0], SCENE[1]]))).to.be.at.least(0.97);
  });

  it('an image wider than a GPU texture may be is resized on the CPU, and still segments', async () => {
    const [width, height] = [9000, 400];
    const before = (await testing.workerStats('webgpu'))!;
    const encoded = nextEvent<ImageEncodeDetail>(element, 'image-encode', SLOW);
    element.src = await sceneUrl(width, height);
    await encoded;
    const after = (await testing.workerStats('webgpu'))!;
    expect(after.gpuPreprocessFallbacks - before.gpuPreprocessFallbacks, 'over maxTextureDimension2D: the CPU path').to.equal(1);
    expect(after.gpuPreprocessed - before.gpuPreprocessed).to.equal(0);
    element.clear();
    const result = await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
    expect(iou(result!.mask!, groundTruth(width, height, [SCENE[0], SCENE[1]]))).to.be.at.least(0.97);
    const { gpu } = await testing.comparePreprocess(await png(drawScene(width, height)));
    expect(gpu, 'the hook agrees: no GPU input for it').to.equal(null);
  });

  // Bounds from SwiftShader measurements (printed below; measured in brackets), with headroom.
  // GPU vs reference is float rounding everywhere (<= 2e-6). GPU vs CPU is the CPU path's own
  // error: its 8-bit canvas output (half a step when resampling) and, downscaling noisy texture,
  // Chromium's mipmapped 'medium' filter (mean 2.6 steps, max 35 steps from the reference).
  const CASES = [
    // Identity: both are the pixels themselves, up to float rounding.
    { name: '1024x1024 (identity)', width: 1024, height: 1024, alpha: false, cpu: { max: 1e-5, mean: 1e-6 }, ref: { max: 1e-5, mean: 1e-6 } }, // [7.2e-7, 1.2e-7]
    // 3.9x / 2.9x downscale: the GPU is the reference filter; the canvas's mipmapped bilinear is not.
    { name: '4000x3000 (downscale)', width: 4000, height: 3000, alpha: false, cpu: { max: 1, mean: 0.08 }, ref: { max: 2e-5, mean: 2e-6 } }, // cpu [0.607, 0.046], ref [1.9e-6, 2.0e-7]
    // Upscale: both bilinear with half-pixel centres.
    { name: '300x200 (upscale)', width: 300, height: 200, alpha: false, cpu: { max: 0.6 * STEP, mean: 0.3 * STEP }, ref: { max: 2e-5, mean: 2e-6 } }, // cpu [0.5 / 0.245 steps], ref [9.5e-7, 1.3e-7]
    // Transparent cells: black, as on the CPU path's opaque canvas.
    { name: '1024x1024 with transparent pixels', width: 1024, height: 1024, alpha: true, cpu: { max: 1e-5, mean: 1e-6 }, ref: { max: 1e-5, mean: 1e-6 } }, // [7.2e-7, 1.0e-7]
  ];
  for (const c of CASES) {
    it(`GPU input matches the CPU input and torchvision's antialiased bilinear: ${c.name}`, async () => {
      const image = texturedScene(c.width, c.height, c.alpha);
      const { cpu, gpu, width, height } = await testing.comparePreprocess(await png(image));
      expect([width, height]).to.deep.equal([c.width, c.height]);
      expect(gpu, 'the GPU path is taken').to.not.equal(null);
      const ref = reference(image);
      const gpuCpu = diff(gpu!, cpu);
      const gpuRef = diff(gpu!, ref);
      const cpuRef = diff(cpu, ref);
      const steps = (d: { max: number; mean: number }) => `max ${d.max.toExponential(3)} (${(d.max / STEP).toFixed(3)} steps), mean ${d.mean.toExponential(3)}`;
      console.log(`[gpu-preprocess] ${c.name}: GPU-CPU ${steps(gpuCpu)}; GPU-ref ${steps(gpuRef)}; CPU-ref ${steps(cpuRef)}`);
      expect(gpuRef.max, 'GPU vs torchvision reference, max').to.be.at.most(c.ref.max);
      expect(gpuRef.mean, 'GPU vs torchvision reference, mean').to.be.at.most(c.ref.mean);
      expect(gpuCpu.max, 'GPU vs CPU, max').to.be.at.most(c.cpu.max);
      expect(gpuCpu.mean, 'GPU vs CPU, mean').to.be.at.most(c.cpu.mean);
      // The GPU is never further from the reference than the CPU path is.
      expect(gpuRef.mean).to.be.at.most(cpuRef.mean + 1e-6);
    });
  }
});

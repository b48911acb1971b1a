/**
 * TEST REFERENCE, not shipped: a plain-JS implementation used to check the worker's fast canvas path.
 *
 * The exact SAM 2 input transform: `Resize((1024, 1024))` of torchvision on a float image
 * (bilinear with antialiasing, i.e. PIL's triangle filter whose support grows with the
 * downscale factor), followed by `Normalize(mean, std)`, written straight into planar CHW floats.
 *
 * Separable: a horizontal pass per source row into a W'×H float buffer (3 channels), then a
 * vertical pass. Filter taps are precomputed once per axis.
 */
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

interface Taps {
  /** first source index per output index */
  start: Int32Array;
  /** number of taps per output index */
  count: Int32Array;
  /** normalised weights, `maxTaps` per output index */
  weights: Float32Array;
  maxTaps: number;
}

/** Triangle-filter taps as in PIL / torchvision's `_upsample_bilinear2d_aa` (align_corners=False). */
export function bilinearTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1;
  const invScale = scale >= 1 ? 1 / scale : 1;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    const n = xmax - xmin;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const w = Math.max(0, 1 - Math.abs((j + xmin - center + 0.5) * invScale));
      weights[i * maxTaps + j] = w;
      total += w;
    }
    if (total > 0) for (let j = 0; j < n; j++) weights[i * maxTaps + j] /= total;
    start[i] = xmin;
    count[i] = n;
  }
  return { start, count, weights, maxTaps };
}

/**
 * RGBA bytes (W×H, row-major) → normalised planar float32 [3, outH, outW].
 * `rgba` values are divided by 255 first (torchvision's ToTensor), so the result is exact in float.
 */
export function resizeNormalize(rgba: Uint8ClampedArray, width: number, height: number, outWidth: number, outHeight: number): Float32Array {
  const tx = bilinearTaps(width, outWidth);
  const ty = bilinearTaps(height, outHeight);
  // Horizontal pass: height rows × outWidth × 3 channels, still in 0..255.
  const mid = new Float32Array(height * outWidth * 3);
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    const outRow = y * outWidth * 3;
    for (let x = 0; x < outWidth; x++) {
      const s = tx.start[x];
      const n = tx.count[x];
      const wBase = x * tx.maxTaps;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < n; k++) {
        const w = tx.weights[wBase + k];
        const p = row + (s + k) * 4;
        r += rgba[p] * w;
        g += rgba[p + 1] * w;
        b += rgba[p + 2] * w;
      }
      const o = outRow + x * 3;
      mid[o] = r;
      mid[o + 1] = g;
      mid[o + 2] = b;
    }
  }
  // Vertical pass + ToTensor (/255) + Normalize, into planar CHW.
  const plane = outWidth * outHeight;
  const out = new Float32Array(3 * plane);
  const scale = [1 / (255 * STD[0]), 1 / (255 * STD[1]), 1 / (255 * STD[2])];
  const offset = [MEAN[0] / STD[0], MEAN[1] / STD[1], MEAN[2] / STD[2]];
  const acc = new Float32Array(outWidth * 3);
  for (let y = 0; y < outHeight; y++) {
    acc.fill(0);
    const s = ty.start[y];
    const n = ty.count[y];
    const wBase = y * ty.maxTaps;
    for (let k = 0; k < n; k++) {
      const w = ty.weights[wBase + k];
      const src = (s + k) * outWidth * 3;
      for (let i = 0; i < outWidth * 3; i++) acc[i] += mid[src + i] * w;
    }
    const o = y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      out[o + x] = acc[3 * x] * scale[0] - offset[0];
      out[plane + o + x] = acc[3 * x + 1] * scale[1] - offset[1];
      out[2 * plane + o + x] = acc[3 * x + 2] * scale[2] - offset[2];
    }
  }
  return out;
}

// The raw onnxruntime-web floor: a bare module worker with the SAME ORT build the element's
// worker bundles (`onnxruntime-web/wasm`, pointed at the .wasm copied into dist/), the same
// session options, and identical inputs. Also times a COPY of the worker's pre- and
// post-processing step by step, so the element's overhead over the floor can be attributed.
// bench/run.mjs bundles this file with esbuild into bench/results/tmp/floor.worker.js.
import * as ort from 'onnxruntime-web/wasm';
// Post-processing is imported unmodified from src/ (pure functions): the same code the worker runs.
import { upsampleLogitsToMask, upsampleLogitsToMaskWithStats } from '../src/mask/upsample.ts';
import { maskArea, maskBoundingBox } from '../src/mask/stats.ts';

const MODEL_SIZE = 1024;
const LOW_RES = 256;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
// Same options as src/worker/runtime.ts createSession().
const SESSION_OPTIONS = { executionProviders: ['wasm'], graphOptimizationLevel: 'all', enableCpuMemArena: true };

const now = () => performance.now();
const log = (message) => self.postMessage({ log: message });

// onnxruntime's pthreads re-load this script as `em-pthread` workers: they must not run the harness.
// Commands (one at a time, answered in order): setup → encode* → decode → postprocess → release.
// bench/run.mjs interleaves `encode` with the element's own image encodes, so both see the same
// machine load (other engineers' test runs make wall times drift by 2x within minutes).
if (!self.name?.startsWith('em-pthread')) {
  self.onmessage = async ({ data }) => {
    try {
      self.postMessage({ id: data.id, ok: true, result: await commands[data.cmd](data.payload) });
    } catch (error) {
      self.postMessage({ id: data.id, ok: false, error: String(error?.stack ?? error) });
    }
  };
}

async function timed(fn) {
  const t = now();
  const value = await fn();
  return [now() - t, value];
}

const state = {};

const commands = {
  /** Runtime set-up, model fetch + sessions, and the pre-processing copies. No encoder run. */
  async setup(cfg) {
    ort.env.wasm.wasmPaths = { wasm: cfg.wasmUrl };
    ort.env.wasm.numThreads = cfg.threads;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = 'error';
    const r = { crossOriginIsolated: self.crossOriginIsolated, threads: cfg.threads, ortVersion: ort.env.versions?.web ?? null };

    // Model bytes first: not part of session creation.
    const [fetchEncoderMs, encoderBytes] = await timed(async () => new Uint8Array(await (await fetch(cfg.encoderUrl)).arrayBuffer()));
    const [fetchDecoderMs, decoderBytes] = await timed(async () => new Uint8Array(await (await fetch(cfg.decoderUrl)).arrayBuffer()));
    r.fetch = { encoderMs: fetchEncoderMs, decoderMs: fetchDecoderMs, encoderBytes: encoderBytes.byteLength, decoderBytes: decoderBytes.byteLength };
    // The element verifies SHA-256s (src/model/): what hashing both files costs here.
    const [shaEncoderMs] = await timed(() => crypto.subtle.digest('SHA-256', encoderBytes));
    const [shaDecoderMs] = await timed(() => crypto.subtle.digest('SHA-256', decoderBytes));
    r.sha256 = { encoderMs: shaEncoderMs, decoderMs: shaDecoderMs };
    log(`floor: fetched models (${fetchEncoderMs.toFixed(0)} + ${fetchDecoderMs.toFixed(0)} ms)`);

    // ORT init = the first session of all (wasm compile + instantiate + thread pool), on a 1-node model.
    const [initMs, probe] = await timed(() => ort.InferenceSession.create(identityModel(), { executionProviders: ['wasm'] }));
    await probe.release();
    r.initMs = initMs;
    const [encoderCreateMs, encoder] = await timed(() => ort.InferenceSession.create(encoderBytes, SESSION_OPTIONS));
    const [decoderCreateMs, decoder] = await timed(() => ort.InferenceSession.create(decoderBytes, SESSION_OPTIONS));
    r.create = { encoderMs: encoderCreateMs, decoderMs: decoderCreateMs };
    log(`floor: init ${initMs.toFixed(0)} ms, create encoder ${encoderCreateMs.toFixed(0)} ms, decoder ${decoderCreateMs.toFixed(0)} ms`);
    Object.assign(state, { encoder, decoder, cfg });

    // Pre-processing, a step-by-step copy of src/worker/preprocess.ts (+ variants), per image.
    r.preprocess = {};
    for (const image of cfg.images) {
      const samples = [];
      for (let rep = 0; rep < cfg.preprocessReps; rep++) {
        const s = await preprocessSteps(image.url, rep === 0 && image === cfg.images[0]);
        if (s.tensor) state.encoderInput ??= s.tensor;
        delete s.tensor;
        samples.push(s);
      }
      r.preprocess[image.name] = samples;
      log(`floor: preprocess ${image.name}: ${samples.map((s) => s.elementPathMs.toFixed(0)).join(', ')} ms`);
    }
    return r;
  },

  /** One encoder.run on identical inputs (the first image's tensor). */
  async encode() {
    const feeds = { image: new ort.Tensor('float32', state.encoderInput, [1, 3, MODEL_SIZE, MODEL_SIZE]) };
    const [ms, out] = await timed(() => state.encoder.run(feeds));
    state.embeddings = out;
    log(`floor: encoder.run ${ms.toFixed(0)} ms`);
    return ms;
  },

  /** decoder.run on identical inputs: one positive click, no mask input (the element's first click). */
  async decode({ runs }) {
    if (!state.embeddings) await commands.encode();
    const { width, height } = state.cfg.images[0];
    const [px, py] = state.cfg.point ?? [width * 0.3, height * 0.4];
    const { embeddings, decoder } = state;
    const feeds = {
      image_embed: embeddings.image_embed,
      high_res_feats_0: embeddings.high_res_feats_0,
      high_res_feats_1: embeddings.high_res_feats_1,
      point_coords: new ort.Tensor('float32', new Float32Array([(px * MODEL_SIZE) / width, (py * MODEL_SIZE) / height]), [1, 1, 2]),
      point_labels: new ort.Tensor('float32', new Float32Array([1]), [1, 1]),
      mask_input: new ort.Tensor('float32', new Float32Array(LOW_RES * LOW_RES), [1, 1, LOW_RES, LOW_RES]),
      has_mask_input: new ort.Tensor('float32', new Float32Array([0]), [1]),
    };
    for (const name of Object.keys(feeds)) if (!decoder.inputNames.includes(name)) delete feeds[name];
    const times = [];
    for (let i = 0; i < runs; i++) {
      const [ms, out] = await timed(() => decoder.run(feeds));
      times.push(ms);
      state.decoded = out;
    }
    log(`floor: decoder.run x${runs}: median ${median(times).toFixed(0)} ms`);
    return times;
  },

  /** Post-processing per image size, as src/worker/sam2.worker.ts renderMask() + handleDecode() do. */
  async postprocess({ sizes }) {
    if (!state.decoded) await commands.decode({ runs: 1 });
    const logits = state.decoded.masks.data;
    const scores = Array.from(state.decoded.iou_predictions.data);
    const best = scores.reduce((b, s, i) => (s > scores[b] ? i : b), 0);
    const chosen = logits.subarray(best * LOW_RES * LOW_RES, (best + 1) * LOW_RES * LOW_RES);
    const out = { scores, best, sizes: {} };
    for (const image of sizes) {
      const samples = [];
      for (let rep = 0; rep < 3; rep++) {
        const t0 = now();
        const data = upsampleLogitsToMask(chosen, LOW_RES, LOW_RES, image.width, image.height, 0);
        const t1 = now();
        const mask = { width: image.width, height: image.height, data };
        maskBoundingBox(mask);
        const t2 = now();
        const area = maskArea(mask);
        const t3 = now();
        logits.slice();
        const t4 = now();
        // What the worker runs now: area and bbox measured inside the upsample.
        upsampleLogitsToMaskWithStats(chosen, LOW_RES, LOW_RES, image.width, image.height, 0);
        const t5 = now();
        samples.push({ upsampleMs: t1 - t0, bboxMs: t2 - t1, areaMs: t3 - t2, sliceMs: t4 - t3, totalMs: t4 - t0, fusedMs: t5 - t4 + (t4 - t3), area, pixels: data.length });
      }
      out.sizes[image.name] = samples;
    }
    return out;
  },

  async release() {
    await Promise.allSettled([state.encoder?.release(), state.decoder?.release()]);
    return true;
  },
};

/** Pre-processing of one image URL, timed step by step, plus two cheaper variants for comparison. */
async function preprocessSteps(url, keepTensor) {
  const s = {};
  let t = now();
  const response = await fetch(url, { mode: 'cors', credentials: 'same-origin' });
  const blob = await response.blob();
  s.fetchMs = now() - t;
  s.bytes = blob.size;

  // The element's path: full decode with EXIF orientation, then a 1024x1024 squash on a 2D canvas.
  t = now();
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', premultiplyAlpha: 'none' });
  s.decodeMs = now() - t;
  s.width = bitmap.width;
  s.height = bitmap.height;
  const canvas = new OffscreenCanvas(MODEL_SIZE, MODEL_SIZE);
  const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'medium';
  t = now();
  ctx.drawImage(bitmap, 0, 0, MODEL_SIZE, MODEL_SIZE);
  s.resizeMs = now() - t;
  t = now();
  const rgba = ctx.getImageData(0, 0, MODEL_SIZE, MODEL_SIZE).data;
  s.readbackMs = now() - t;
  t = now();
  const tensor = normalise(rgba);
  s.normaliseMs = now() - t;
  bitmap.close();
  s.elementPathMs = s.fetchMs + s.decodeMs + s.resizeMs + s.readbackMs + s.normaliseMs;

  // Variant: premultiplyAlpha left at its default (JPEGs are opaque: the result is the same).
  t = now();
  const bitmapDefault = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  s.decodeDefaultAlphaMs = now() - t;
  bitmapDefault.close();

  // Variant: let the decoder resize (createImageBitmap resizeWidth/Height), then read back.
  t = now();
  const small = await createImageBitmap(blob, {
    imageOrientation: 'from-image',
    premultiplyAlpha: 'none',
    resizeWidth: MODEL_SIZE,
    resizeHeight: MODEL_SIZE,
    resizeQuality: 'medium',
  });
  s.decodeResizedMs = now() - t;
  const c2 = new OffscreenCanvas(MODEL_SIZE, MODEL_SIZE);
  const x2 = c2.getContext('2d', { willReadFrequently: true, alpha: false });
  t = now();
  x2.drawImage(small, 0, 0);
  const rgba2 = x2.getImageData(0, 0, MODEL_SIZE, MODEL_SIZE).data;
  const tensor2 = normalise(rgba2);
  s.resizedRestMs = now() - t;
  small.close();
  s.resizedPathMs = s.fetchMs + s.decodeResizedMs + s.resizedRestMs;
  // How far the cheaper tensor is from the element's (normalised units; 1/255/0.225 ≈ 0.017 per grey level).
  let sum = 0;
  let max = 0;
  for (let i = 0; i < tensor.length; i++) {
    const d = Math.abs(tensor[i] - tensor2[i]);
    sum += d;
    if (d > max) max = d;
  }
  s.resizedVsElement = { meanAbs: sum / tensor.length, maxAbs: max, greyLevelsMean: (sum / tensor.length) * 255 * 0.226 };

  // The embedding cache identity of a Blob/File input (SHA-256 of the bytes); URL inputs skip it.
  t = now();
  await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  s.blobIdentityMs = now() - t;
  if (keepTensor) s.tensor = tensor;
  return s;
}

function normalise(rgba) {
  const plane = MODEL_SIZE * MODEL_SIZE;
  const out = new Float32Array(3 * plane);
  const scale = [1 / (255 * STD[0]), 1 / (255 * STD[1]), 1 / (255 * STD[2])];
  const offset = [MEAN[0] / STD[0], MEAN[1] / STD[1], MEAN[2] / STD[2]];
  for (let i = 0, p = 0; i < plane; i++, p += 4) {
    out[i] = rgba[p] * scale[0] - offset[0];
    out[plane + i] = rgba[p + 1] * scale[1] - offset[1];
    out[2 * plane + i] = rgba[p + 2] * scale[2] - offset[2];
  }
  return out;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// --- a one-node ONNX model (y = Identity(x), float[1]), to time ORT's own start-up alone ----------
function identityModel() {
  const enc = new TextEncoder();
  const varint = (n) => {
    const out = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const bytes = (field, payload) => [...varint((field << 3) | 2), ...varint(payload.length), ...payload];
  const int = (field, value) => [...varint(field << 3), ...varint(value)];
  const str = (field, text) => bytes(field, [...enc.encode(text)]);
  const valueInfo = (name) =>
    [...str(1, name), ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, bytes(1, int(1, 1)))]))];
  const node = [...str(1, 'x'), ...str(2, 'y'), ...str(4, 'Identity')];
  const graph = [...bytes(1, node), ...str(2, 'g'), ...bytes(11, valueInfo('x')), ...bytes(12, valueInfo('y'))];
  return new Uint8Array([...int(1, 8), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 13)])]);
}

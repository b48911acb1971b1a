// Decoder placement next to a WebGPU encoder (issue 13), raw onnxruntime-web in a module worker,
// run on the GPU machine through `gpu.sh page` (bench/gpu/README.md):
// - encoder.run on WebGPU with CPU outputs (onnxruntime's default, the floor) and with
//   `preferredOutputLocation: 'gpu-buffer'` (the element since issue 13), back to back and after
//   idle gaps, and the cost of copying the three embeddings down; GPU outputs with the queue
//   drained (`onSubmittedWorkDone`) and no copy-down: when the element replies now;
// - decoder.run for 1, 3 and 10 points and a box on WebGPU fed GPU buffers (the element now), on
//   WebGPU fed CPU tensors (an upload per run: the element before), and on WASM threads.
const now = () => performance.now();
const median = (v) => {
  const s = [...v].sort((a, b) => a - b), m = s.length >> 1;
  return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : null;
};
const say = (message) => self.postMessage({ log: message });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fetchBytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());

function pixels() {
  const n = 3 * 1024 * 1024, out = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (s / 4294967296) * 4 - 2;
  }
  return out;
}

async function timedRuns(fn, runs, gapMs = 0) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    if (gapMs) await sleep(gapMs);
    const t = now();
    await fn();
    times.push(now() - t);
  }
  return { median: median(times), runs: times.map((x) => Number(x.toFixed(2))) };
}

// samexporter prompts as the element encodes them: clicks + SAM 2's padding point; a box as its
// two corners (labels 2, 3).
function prompt(ort, kind) {
  const pts = [];
  if (kind === 'box') pts.push([150, 200, 2], [700, 650, 3]);
  else {
    const n = Number(kind);
    for (let i = 0; i < n; i++) pts.push([200 + ((i * 97) % 600), 150 + ((i * 173) % 700), i % 3 === 2 ? 0 : 1]);
    pts.push([0, 0, -1]);
  }
  return {
    point_coords: new ort.Tensor('float32', Float32Array.from(pts.flatMap((p) => [p[0], p[1]])), [1, pts.length, 2]),
    point_labels: new ort.Tensor('float32', Float32Array.from(pts.map((p) => p[2])), [1, pts.length]),
    mask_input: new ort.Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]),
    has_mask_input: new ort.Tensor('float32', new Float32Array([0]), [1]),
  };
}

async function run(cfg) {
  const ort = await import('/ort/ort.webgpu.min.mjs');
  ort.env.wasm.wasmPaths = '/dist/';
  ort.env.wasm.numThreads = cfg.threads;
  ort.env.logLevel = 'error';
  const r = { threads: cfg.threads, hardwareConcurrency: navigator.hardwareConcurrency, versions: ort.env.versions };
  const base = { graphOptimizationLevel: 'all', enableCpuMemArena: true };
  const M = '/models/sam2.1_hiera_tiny/';
  const [encBytes, decBytes] = await Promise.all([fetchBytes(M + 'encoder.onnx'), fetchBytes(M + 'decoder.onnx')]);
  const names = ['high_res_feats_0', 'high_res_feats_1', 'image_embed'];
  const input = pixels();
  const feeds = () => ({ image: new ort.Tensor('float32', input, [1, 3, 1024, 1024]) });

  // Encoder, CPU outputs (the floor) vs GPU outputs.
  say('encoder sessions');
  const encCpu = await ort.InferenceSession.create(encBytes, { ...base, executionProviders: ['webgpu'] });
  const encGpu = await ort.InferenceSession.create(encBytes, { ...base, executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
  await encCpu.run(feeds());
  const warm = await encGpu.run(feeds());
  for (const n of Object.keys(warm)) warm[n].dispose();
  r.encoder = {};
  r.encoder.cpuOut = await timedRuns(() => encCpu.run(feeds()), cfg.runs);
  let last = null;
  r.encoder.gpuOut = await timedRuns(async () => {
    if (last) for (const n of names) last[n].dispose();
    last = await encGpu.run(feeds());
  }, cfg.runs);
  // GPU outputs, then their copy down (what the element does once per image).
  const downloads = [];
  r.encoder.gpuOutPlusDownload = await timedRuns(async () => {
    const out = await encGpu.run(feeds());
    const t = now();
    await Promise.all(names.map((n) => out[n].getData()));
    downloads.push(now() - t);
    for (const n of Object.keys(out)) out[n].dispose();
  }, cfg.runs);
  r.encoder.downloadMedian = median(downloads);
  // GPU outputs and the GPU's queue drained, no copy down: when the element replies since the
  // copy-down moved after the reply (the GPU has finished the encode, nothing came back yet).
  const device = await ort.env.webgpu.device;
  const workDone = async () => {
    const out = await encGpu.run(feeds());
    await device.queue.onSubmittedWorkDone();
    return out;
  };
  let kept = null;
  r.encoder.gpuOutWorkDone = await timedRuns(async () => {
    if (kept) for (const n of Object.keys(kept)) kept[n].dispose();
    kept = await workDone();
  }, cfg.runs);
  r.encoder.gpuOutWorkDoneAfterGap = await timedRuns(async () => {
    if (kept) for (const n of Object.keys(kept)) kept[n].dispose();
    kept = await workDone();
  }, cfg.runs, cfg.gapMs);
  for (const n of Object.keys(kept)) kept[n].dispose();
  r.encoder.cpuOutAfterGap = await timedRuns(() => encCpu.run(feeds()), cfg.runs, cfg.gapMs);
  r.encoder.gpuOutAfterGap = await timedRuns(async () => {
    const out = await encGpu.run(feeds());
    await Promise.all(names.map((n) => out[n].getData()));
    for (const n of Object.keys(out)) out[n].dispose();
  }, cfg.runs, cfg.gapMs);
  say(`encoder: ${JSON.stringify(r.encoder)}`);

  const gpuEmb = await encGpu.run(feeds());
  const cpuEmb = await encCpu.run(feeds());
  await encCpu.release();

  const decoders = {
    'webgpu, GPU embeddings': { ep: 'webgpu', emb: gpuEmb },
    'webgpu, CPU embeddings (upload per run)': { ep: 'webgpu', emb: cpuEmb },
    [`wasm ${cfg.threads} threads`]: { ep: 'wasm', emb: cpuEmb },
  };
  r.decoder = {};
  for (const [label, d] of Object.entries(decoders)) {
    say(`decoder ${label}`);
    const t = now();
    const s = await ort.InferenceSession.create(decBytes, { ...base, executionProviders: [d.ep] });
    const row = (r.decoder[label] = { createMs: now() - t, cases: {} });
    for (const kind of ['1', '3', '10', 'box']) {
      const f = { ...prompt(ort, kind) };
      for (const n of names) f[n] = d.emb[n];
      const t0 = now();
      await s.run(f);
      const first = now() - t0;
      row.cases[kind] = { firstMs: Number(first.toFixed(1)), ...(await timedRuns(() => s.run(f), cfg.decRuns)) };
    }
    say(`decoder ${label}: ${JSON.stringify(Object.fromEntries(Object.entries(row.cases).map(([k, v]) => [k, [v.firstMs, v.median]])))}`);
    await s.release();
  }
  return r;
}

self.onmessage = async ({ data }) => {
  try {
    self.postMessage({ ok: true, result: await run(data) });
  } catch (e) {
    self.postMessage({ ok: false, error: String(e?.stack ?? e) });
  }
};

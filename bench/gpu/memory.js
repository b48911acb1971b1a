// EXPR for `gpu.sh page '/gpu/blank.html?preset=edgetam&backend=wasm' @bench/gpu/memory.js 150`:
// one element, model="PRESET" (model-base = the onnx-community bench copies), one image encoded and
// one click, then performance.measureUserAgentSpecificMemory() (the page and its workers: JS heaps
// and wasm memories) — the renderer's memory as the page sees it, per preset and precision.
(async () => {
  const q = new URLSearchParams(location.search);
  const preset = q.get('preset') ?? 'edgetam';
  const backend = q.get('backend') ?? 'wasm';
  const precision = q.get('precision');
  await import('/dist/sam2-segmenter.js');
  const el = document.createElement('sam2-segmenter');
  el.setAttribute('backend', backend);
  el.setAttribute('loading', 'eager');
  el.setAttribute('embedding-cache', 'none');
  el.setAttribute('model-base', '/models/onnx-community/');
  if (precision) el.setAttribute('precision', precision);
  document.body.append(el);
  const once = (type) => new Promise((resolve, reject) => {
    el.addEventListener(type, (e) => resolve(e.detail), { once: true });
    el.addEventListener('error', (e) => reject(new Error(JSON.stringify(e.detail))), { once: true });
  });
  const t0 = performance.now();
  const loaded = once('model-load');
  el.setAttribute('model', preset);
  const load = await loaded;
  const c = new OffscreenCanvas(1000, 600), g = c.getContext('2d');
  g.fillStyle = '#468'; g.fillRect(0, 0, 1000, 600); g.fillStyle = '#e83'; g.beginPath(); g.arc(300, 250, 120, 0, 7); g.fill();
  const encoded = once('image-encode');
  el.image = await c.convertToBlob({ type: 'image/png' });
  const encode = await encoded;
  await el.addPoint(300, 250, 1);
  const ms = performance.now() - t0;
  let memory = null;
  try {
    const m = await Promise.race([performance.measureUserAgentSpecificMemory(), new Promise((r) => setTimeout(() => r(null), 100000))]);
    memory = m && { bytes: m.bytes, breakdown: m.breakdown.filter((b) => b.bytes > 1e6).map((b) => ({ bytes: b.bytes, types: b.types, scope: b.attribution.map((a) => a.scope) })) };
  } catch (e) {
    memory = String(e);
  }
  return { preset, backend, precision, ms, load, encode, memory };
})()

// In-page half of the benchmark: drives <sam2-segmenter> through its PUBLIC API only (attributes,
// properties, methods, events) and keeps a timestamped log of every event, so bench/run.mjs can
// ask "when did X happen after Y" without racing the page. Exposed as window.bench.

const stage = document.getElementById('stage');
const elements = [];
const changed = new EventTarget();

// Input timestamps: event.timeStamp is on the performance.now() clock (same time origin).
let pointerLog = [];
addEventListener('pointerdown', (event) => pointerLog.push(event.timeStamp), true);

// The element's own User Timing of each overlay paint ('sam2-segmenter:paint'), when it leaves one.
const paintMeasures = [];
try {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name !== 'sam2-segmenter:paint') continue;
      const measure = { start: entry.startTime, duration: entry.duration, mask: entry.detail?.mask, raf: null };
      paintMeasures.push(measure);
      if (measure.mask === 'early') requestAnimationFrame(() => (measure.raf = performance.now()));
    }
  }).observe({ type: 'measure', buffered: true });
} catch {
  /* no PerformanceObserver for measures */
}
// An early paint's frame is the first animation frame requested once the observer has seen it:
// an upper bound (the observer's callback comes a little after the paint itself). No rAF loop:
// one makes the compositor and GPU process draw 60 frames a second, CPU taken from
// onnxruntime's threads on a 2-core machine (it cost the decoder 30-50 ms a click).

const paintsBetween = (from, to) => {
  const list = paintMeasures.filter((m) => m.start >= from && m.start <= to);
  return { count: list.length, ms: list.reduce((a, m) => a + m.duration, 0) };
};

// The onnxruntime floor (bench/floor.worker.js, bundled) can run in this same page, so the floor and
// the element are measured in the same browser, interleaved, under the same machine load.
let floorWorker = null;
let floorNext = 1;
const floorPending = new Map();

function summarise(type, detail) {
  switch (type) {
    case 'progress':
      return { phase: detail.phase, fraction: detail.fraction };
    case 'mask-change':
      return detail.mask
        ? { width: detail.mask.width, height: detail.mask.height, area: detail.area, source: detail.source, points: detail.prompts.points.length }
        : { mask: null, source: detail.source };
    case 'error':
      return { code: detail.code, message: detail.message };
    default:
      return detail;
  }
}

function instrument(element) {
  element.__log = [];
  for (const type of ['progress', 'model-load', 'image-encode', 'mask-change', 'error']) {
    element.addEventListener(type, (event) => {
      const entry = { type, t: performance.now(), detail: summarise(type, event.detail) };
      element.__log.push(entry);
      if (type === 'mask-change' && event.detail.mask) {
        // "Painted": the next animation frame after the event (the overlay was drawn before it fired).
        requestAnimationFrame(() => {
          entry.raf = performance.now();
          changed.dispatchEvent(new Event('change'));
        });
      }
      changed.dispatchEvent(new Event('change'));
    });
  }
}

function waitUntil(test, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const check = () => {
      let value;
      try {
        value = test();
      } catch (error) {
        cleanup();
        reject(error);
        return;
      }
      if (value !== undefined) {
        cleanup();
        resolve(value);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      changed.removeEventListener('change', check);
    };
    changed.addEventListener('change', check);
    check();
  });
}

/** First event of `type` at or after `since`; an `error` event after `since` rejects (with its code). */
function eventAfter(element, type, since, predicate = () => true) {
  const error = element.__log.find((e) => e.type === 'error' && e.t >= since);
  if (error) throw Object.assign(new Error(`${error.detail.code}: ${error.detail.message}`), { code: error.detail.code });
  return element.__log.find((e) => e.type === type && e.t >= since && predicate(e));
}

function contentRect(element) {
  const frame = element.shadowRoot.querySelector('.frame').getBoundingClientRect();
  const size = element.imageSize;
  const scale = Math.min(frame.width / size.width, frame.height / size.height);
  const width = size.width * scale;
  const height = size.height * scale;
  return { x: frame.x + (frame.width - width) / 2, y: frame.y + (frame.height - height) / 2, width, height };
}

// Deterministic PRNG for the generated photos.
function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A natural-ish landscape: sky and ground gradients, sun, hills, trees, houses, grain. */
async function sceneJpeg(width, height, seed = 1) {
  const random = mulberry32(seed);
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d');
  const s = Math.min(width, height);
  const sky = g.createLinearGradient(0, 0, 0, height * 0.65);
  sky.addColorStop(0, '#3b6fb6');
  sky.addColorStop(1, '#e8eef2');
  g.fillStyle = sky;
  g.fillRect(0, 0, width, height);
  const sun = g.createRadialGradient(width * 0.78, height * 0.2, 0, width * 0.78, height * 0.2, s * 0.25);
  sun.addColorStop(0, 'rgba(255,250,220,1)');
  sun.addColorStop(0.2, 'rgba(255,236,170,0.9)');
  sun.addColorStop(1, 'rgba(255,236,170,0)');
  g.fillStyle = sun;
  g.fillRect(0, 0, width, height);
  for (let layer = 0; layer < 3; layer++) {
    const base = height * (0.5 + layer * 0.12);
    const hill = g.createLinearGradient(0, base - s * 0.2, 0, height);
    const green = 120 - layer * 25;
    hill.addColorStop(0, `rgb(${60 + layer * 10},${green + 40},${50})`);
    hill.addColorStop(1, `rgb(${30},${green - 20},${25})`);
    g.fillStyle = hill;
    g.beginPath();
    g.moveTo(0, height);
    for (let x = 0; x <= width; x += width / 24) {
      g.lineTo(x, base - Math.sin(x / width * Math.PI * (2 + layer) + layer) * s * 0.08 - random() * s * 0.02);
    }
    g.lineTo(width, height);
    g.closePath();
    g.fill();
  }
  for (let i = 0; i < 40; i++) {
    const x = random() * width;
    const y = height * (0.55 + random() * 0.4);
    const r = s * (0.015 + random() * 0.04);
    g.fillStyle = `rgb(${70 + random() * 40},${50 + random() * 20},${30})`;
    g.fillRect(x - r * 0.12, y, r * 0.24, r * 1.4);
    const crown = g.createRadialGradient(x - r * 0.3, y - r * 0.3, r * 0.1, x, y, r);
    crown.addColorStop(0, `rgb(${60 + random() * 50},${140 + random() * 60},${50})`);
    crown.addColorStop(1, `rgb(${20},${70 + random() * 30},${20})`);
    g.fillStyle = crown;
    g.beginPath();
    g.ellipse(x, y, r, r * 1.1, 0, 0, Math.PI * 2);
    g.fill();
  }
  for (let i = 0; i < 6; i++) {
    const x = width * (0.1 + random() * 0.8);
    const y = height * (0.6 + random() * 0.25);
    const w = s * (0.08 + random() * 0.08);
    const h = w * 0.7;
    g.fillStyle = `hsl(${random() * 360},45%,${55 + random() * 25}%)`;
    g.fillRect(x, y, w, h);
    g.fillStyle = '#7a2e22';
    g.beginPath();
    g.moveTo(x - w * 0.1, y);
    g.lineTo(x + w / 2, y - h * 0.6);
    g.lineTo(x + w * 1.1, y);
    g.fill();
    g.fillStyle = '#2c3e50';
    g.fillRect(x + w * 0.4, y + h * 0.45, w * 0.2, h * 0.55);
  }
  // Sensor-like grain so the JPEG has a photo's entropy (a flat drawing compresses 10x better).
  const tile = new OffscreenCanvas(256, 256);
  const tg = tile.getContext('2d');
  const grain = tg.createImageData(256, 256);
  for (let i = 0; i < grain.data.length; i += 4) {
    const v = random() * 255;
    grain.data[i] = grain.data[i + 1] = grain.data[i + 2] = v;
    grain.data[i + 3] = 255;
  }
  tg.putImageData(grain, 0, 0);
  g.globalAlpha = 0.12;
  g.globalCompositeOperation = 'overlay';
  g.fillStyle = g.createPattern(tile, 'repeat');
  g.fillRect(0, 0, width, height);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
}

/** The test suite's colour scene (test/helpers.ts SCENE), for the fixture models of the WebGPU smoke test. */
function colourScene(width, height) {
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = 'rgb(128,128,128)';
  g.fillRect(0, 0, width, height);
  g.fillStyle = 'rgb(255,0,0)';
  g.beginPath();
  g.ellipse(0.32 * width, 0.42 * height, 0.2 * width, 0.25 * height, 0, 0, Math.PI * 2);
  g.fill();
  g.fillStyle = 'rgb(220,25,25)';
  g.fillRect((0.75 - 0.12) * width, (0.3 - 0.15) * height, 0.24 * width, 0.3 * height);
  g.fillStyle = 'rgb(0,0,255)';
  g.fillRect((0.72 - 0.14) * width, (0.75 - 0.14) * height, 0.28 * width, 0.28 * height);
  return canvas.convertToBlob({ type: 'image/png' });
}

const masks = {};

window.bench = {
  now: () => performance.now(),
  crossOriginIsolated: () => self.crossOriginIsolated,

  async clearOpfs() {
    if (!navigator.storage?.getDirectory) return { supported: false, removed: 0 };
    const root = await navigator.storage.getDirectory();
    const names = [];
    for await (const name of root.keys()) names.push(name);
    for (const name of names) await root.removeEntry(name, { recursive: true });
    return { supported: true, removed: names.length, names };
  },

  async opfsEntries() {
    if (!navigator.storage?.getDirectory) return null;
    const root = await navigator.storage.getDirectory();
    const out = [];
    for await (const name of root.keys()) out.push(name);
    return out;
  },

  /** Creates (does not mount) an element; returns its index. */
  create({ model, width = '800px', backend, src, embeddingCache = 'memory' } = {}) {
    const element = document.createElement('sam2-segmenter');
    instrument(element);
    element.loading = 'eager';
    // Measured encodes must run the encoder: the disk cache would answer repeated photos (same
    // bytes, fresh query string) from OPFS. Only the disk-revisit step asks for 'disk'.
    element.embeddingCache = embeddingCache;
    element.style.width = width;
    if (backend) element.backend = backend;
    if (model) element.model = model;
    if (src) element.src = src;
    elements.push(element);
    return elements.length - 1;
  },

  /** Mounts elements (starts their model load); returns the time it happened. */
  mount(indices) {
    const t = performance.now();
    for (const i of indices) stage.append(elements[i]);
    return t;
  },

  remove(index) {
    elements[index].remove();
  },

  setEmbeddingCache(index, mode) {
    elements[index].embeddingCache = mode;
  },

  setSrc(index, url) {
    const t = performance.now();
    elements[index].src = url;
    return t;
  },

  async setImageBlob(index, name) {
    const blob = name === 'colour-scene' ? await colourScene(1000, 600) : null;
    const t = performance.now();
    elements[index].image = blob;
    return t;
  },

  /** Waits for the first `type` event at/after `since`; resolves {t, ms: t - since, detail}. */
  async waitFor(index, type, since, timeoutMs = 120000) {
    const element = elements[index];
    const entry = await waitUntil(() => eventAfter(element, type, since), timeoutMs, `${type} on element ${index}`);
    return { t: entry.t, ms: entry.t - since, detail: entry.detail };
  },

  /** Every event of an element since `since`, times relative to it. */
  events(index, since = 0) {
    return elements[index].__log.filter((e) => e.t >= since).map((e) => ({ ...e, t: e.t - since, raf: e.raf && e.raf - since }));
  },

  /** Client coordinates of a point given as fractions of the displayed image. */
  clientPoint(index, fx, fy) {
    const rect = contentRect(elements[index]);
    return { x: rect.x + fx * rect.width, y: rect.y + fy * rect.height };
  },

  /** The user click after `since`: pointerdown → mask-change → next animation frame. */
  async waitClick(index, since, timeoutMs = 60000) {
    const element = elements[index];
    const entry = await waitUntil(
      () => {
        const e = eventAfter(element, 'mask-change', since, (x) => x.detail.width !== undefined && x.detail.source === 'user');
        return e?.raf ? e : undefined;
      },
      timeoutMs,
      `a user mask-change on element ${index}`,
    );
    const down = pointerLog.filter((t) => t >= since - 1).at(-1) ?? pointerLog.at(-1);
    // A large photo's mask is painted first at display size ('early'), before `mask-change`
    // carries the natural-size one: the mask is visible from the frame after that paint.
    const early = paintMeasures.find((m) => m.mask === 'early' && m.start >= down && m.start <= entry.t);
    const visible = early?.raf ?? entry.raf;
    return {
      downToMaskVisibleMs: Math.min(visible, entry.raf) - down,
      earlyPaint: Boolean(early),
      downToMaskChangeMs: entry.t - down,
      downToPaintedMs: entry.raf - down,
      maskChangeToPaintedMs: entry.raf - entry.t,
      paints: paintsBetween(down, entry.raf),
      mask: entry.detail,
    };
  },

  clear(index) {
    elements[index].clear();
  },

  async addPoint(index, x, y, keep) {
    const t = performance.now();
    const result = await elements[index].addPoint(x, y);
    if (keep && result?.mask) masks[keep] = result.mask;
    return { ms: performance.now() - t, area: result?.area ?? null, width: result?.mask?.width, height: result?.mask?.height, score: result?.score };
  },

  iou(a, b) {
    const x = masks[a];
    const y = masks[b];
    if (!x || !y || x.data.length !== y.data.length) return null;
    let inter = 0;
    let union = 0;
    for (let i = 0; i < x.data.length; i++) {
      const p = x.data[i] !== 0;
      const q = y.data[i] !== 0;
      if (p && q) inter++;
      if (p || q) union++;
    }
    return union ? inter / union : 1;
  },

  status(index) {
    return elements[index].status;
  },

  async workerStats(backend = 'wasm') {
    const { workerStats } = await import('/cdn/testing.js');
    return workerStats(backend);
  },

  async gpuAdapter() {
    const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
    if (!adapter) return null;
    const info = adapter.info ?? {};
    return { vendor: info.vendor, architecture: info.architecture, description: info.description, isFallbackAdapter: adapter.isFallbackAdapter ?? info.isFallbackAdapter };
  },

  /** JS heap of this page, plus the UA-specific breakdown (needs crossOriginIsolated; can be slow). */
  async memory(timeoutMs = 90000) {
    const out = { performanceMemory: null, ua: null, uaMs: null, uaError: null };
    if (performance.memory) {
      out.performanceMemory = { usedJSHeapSize: performance.memory.usedJSHeapSize, totalJSHeapSize: performance.memory.totalJSHeapSize };
    }
    if (!self.crossOriginIsolated || !performance.measureUserAgentSpecificMemory) {
      out.uaError = self.crossOriginIsolated ? 'not supported' : 'not cross-origin isolated';
      return out;
    }
    const t = performance.now();
    try {
      const result = await Promise.race([
        performance.measureUserAgentSpecificMemory(),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)),
      ]);
      const byScope = {};
      const byType = {};
      for (const entry of result.breakdown) {
        for (const type of entry.types) byType[type] = (byType[type] ?? 0) + entry.bytes / Math.max(1, entry.types.length);
        const scope = entry.attribution.map((a) => a.scope).join('+') || 'unattributed';
        byScope[scope] = (byScope[scope] ?? 0) + entry.bytes;
      }
      out.ua = { bytes: result.bytes, byScope, byType };
    } catch (error) {
      out.uaError = String(error.message ?? error);
    }
    out.uaMs = performance.now() - t;
    return out;
  },

  floorStart(url) {
    floorWorker = new Worker(url, { type: 'module', name: 'bench-floor' });
    floorWorker.onmessage = ({ data }) => {
      if (data.log) return console.log(data.log);
      const pending = floorPending.get(data.id);
      floorPending.delete(data.id);
      if (data.ok) pending?.resolve(data.result);
      else pending?.reject(new Error(data.error));
    };
    floorWorker.onerror = (event) => {
      for (const pending of floorPending.values()) pending.reject(new Error(`floor worker failed: ${event.message}`));
      floorPending.clear();
    };
  },

  floorCall(cmd, payload) {
    const id = floorNext++;
    return new Promise((resolve, reject) => {
      floorPending.set(id, { resolve, reject });
      floorWorker.postMessage({ id, cmd, payload });
    });
  },

  floorStop() {
    floorWorker?.terminate();
    floorWorker = null;
  },

  paintsBetween,

  /** Shows a photo in a plain <img> (800 px wide) until decoded and painted; resolves the time it took. */
  async displayImage(url) {
    const img = new Image();
    img.style.width = '800px';
    img.src = url;
    const t = performance.now();
    stage.append(img);
    await img.decode().catch(() => {});
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const ms = performance.now() - t;
    img.remove();
    return ms;
  },

  /** Generates the bench photo and uploads it to the bench server (written under bench/models/images/). */
  async makePhoto(width, height, name) {
    const blob = await sceneJpeg(width, height, width * 31 + height);
    const response = await fetch(`/__upload/${name}`, { method: 'PUT', body: blob });
    if (!response.ok) throw new Error(`upload of ${name} failed: HTTP ${response.status}`);
    return blob.size;
  },
};
window.dispatchEvent(new Event('bench-ready'));

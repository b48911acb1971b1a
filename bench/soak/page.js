// The soak page: the element (cdn/ bundle) and its testing entry, driven by bench/soak.mjs.
// Every image is generated here, each one different (its bytes differ, so no cache answers it).
import '/cdn/sam2-segmenter.js';
import { workerStats } from '/cdn/testing.js';

const stage = document.getElementById('stage');

/** A scene of coloured ellipses on grey, unique per seed, as a PNG Blob. */
async function scene(seed, width = 640, height = 480) {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'rgb(128,128,128)';
  ctx.fillRect(0, 0, width, height);
  let s = seed * 9301 + 49297;
  const rnd = () => ((s = (s * 9301 + 49297) % 233280) / 233280);
  for (let i = 0; i < 4; i++) {
    ctx.fillStyle = `rgb(${Math.floor(rnd() * 255)},${Math.floor(rnd() * 255)},${Math.floor(rnd() * 255)})`;
    ctx.beginPath();
    ctx.ellipse(width * (0.2 + 0.6 * rnd()), height * (0.2 + 0.6 * rnd()), width * (0.05 + 0.1 * rnd()), height * (0.05 + 0.1 * rnd()), 0, 0, Math.PI * 2);
    ctx.fill();
  }
  // A seed-specific pixel makes every image's bytes unique.
  ctx.fillStyle = `rgb(${seed & 255},${(seed >> 8) & 255},1)`;
  ctx.fillRect(0, 0, 1, 1);
  return canvas.convertToBlob({ type: 'image/png' });
}

const once = (target, type) =>
  new Promise((resolve, reject) => {
    const done = (event) => {
      target.removeEventListener(type, done);
      target.removeEventListener('error', failed);
      resolve(event);
    };
    const failed = (event) => {
      if (String(event.detail?.code).startsWith('storage-')) return;
      target.removeEventListener(type, done);
      target.removeEventListener('error', failed);
      reject(new Error(`error while waiting for ${type}: ${JSON.stringify(event.detail)}`));
    };
    target.addEventListener(type, done);
    target.addEventListener('error', failed);
  });

function newElement(model) {
  const element = document.createElement('sam2-segmenter');
  element.loading = 'eager';
  element.embeddingCache = new URLSearchParams(location.search).get('cache') ?? 'disk';
  element.model = model;
  element.style.cssText = 'width: 400px; height: 300px; display: block';
  stage.append(element);
  return element;
}

let soakElement = null;
let seed = 1;

window.soak = {
  /** Loads the model in a first element (kept for the image phase). */
  async start(model) {
    soakElement = newElement(model);
    await once(soakElement, 'model-load');
  },
  /** One image, encoded, then `prompts` clicks (alternating include/exclude), awaited one by one. */
  async image(prompts) {
    const encoded = once(soakElement, 'image-encode');
    soakElement.image = await scene(seed++);
    await encoded;
    for (let i = 0; i < prompts; i++) {
      const x = 40 + ((i * 97) % 560);
      const y = 40 + ((i * 61) % 400);
      await soakElement.addPoint(x, y, i % 3 === 2 ? 0 : 1);
    }
    soakElement.clear();
  },
  /** Removes the image-phase element. */
  endImages() {
    soakElement?.remove();
    soakElement = null;
  },
  /** Create an element, encode a new image, click once, remove it. */
  async cycle(model) {
    const element = newElement(model);
    const encoded = once(element, 'image-encode');
    element.image = await scene(seed++);
    await encoded;
    await element.addPoint(320, 240);
    element.remove();
  },
  /** The control: a plain <img> of a new image, decoded, then removed. */
  async imgCycle() {
    const url = URL.createObjectURL(await scene(seed++));
    const img = document.createElement('img');
    img.src = url;
    stage.append(img);
    await img.decode();
    img.remove();
    URL.revokeObjectURL(url);
  },
  stats: () => workerStats(),
};
window.soakReady = true;

#!/usr/bin/env node
// Before/after screenshots of a mask edge on a 12 MP image, zoomed: `edges="model"` (SAM 2's
// upsampled logits) and `edges="image"` (refined by the image), drawn the way the element draws
// a mask (--sam2-mask-color at --sam2-mask-opacity, white outline). The masks are the element's
// own (dist/sam2-segmenter.js with its worker and the colour fixture model: a click on the red
// shape, then `edges` switched to "image"; `element.objects[0].mask` at natural size). The image
// is the quality harness's generated "detail" scene at 4000x3000 (test/edges/scenes.ts: saw
// teeth 6 cells apart, round holes), so the truth is known: the dashed yellow line is the true edge.
//
//   npm run build && npm run fixtures && node scripts/edges-screenshot.mjs [OUT_DIR]     (default docs/screenshots)
import { mkdirSync } from 'node:fs';
import { openBundledPage } from './bundled-page.mjs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(ROOT, 'docs/screenshots'));
mkdirSync(out, { recursive: true });

const PAGE_SCRIPT = `
import { Sam2Segmenter } from '${ROOT}/dist/sam2-segmenter.js';
import { edgeScenes, renderScene } from '${ROOT}/test/edges/scenes.ts';

// Bundled into this page: the worker and runtime files are served from /dist/.
Sam2Segmenter.basePath = new URL('/dist/', location.origin).href;
import { boundaryF, iou } from '${ROOT}/test/edges/metrics.ts';

const [W, H] = [4000, 3000];
const ZOOM = 3;
const CROP = { x: 3050, y: 1990, width: 320, height: 200 }; // saw teeth and a round hole

const once = (target, type) => new Promise((resolve, reject) => {
  target.addEventListener(type, resolve, { once: true });
  target.addEventListener('error', (e) => reject(new Error(JSON.stringify(e.detail))), { once: true });
});

window.draw = async () => {
  const scene = edgeScenes(W / H).find((s) => s.name === 'detail');
  const image = renderScene(scene, W, H);
  const element = document.createElement('sam2-segmenter');
  element.loading = 'eager';
  element.model = new URL('/test/fixtures/generated/colour.manifest.json', location.origin).href;
  element.style.cssText = 'width: 400px; position: absolute; left: -9999px';
  document.body.append(element);
  const encoded = once(element, "image-encode");
  element.image = new ImageData(image.data, W, H);
  await encoded;
  await element.addPoint(scene.click[0] * W, scene.click[1] * H);
  const model = element.objects[0].mask.data.slice();
  const refined = once(element, 'mask-change');
  element.edges = 'image';
  await refined;
  const masks = { model, image: element.objects[0].mask.data };
  const scores = {};
  for (const [name, data] of Object.entries(masks)) {
    const mask = { width: W, height: H, data };
    scores[name] = { iou: iou(mask, image.truth), f: boundaryF(mask, image.truth).f };
    const canvas = document.getElementById(name);
    canvas.width = CROP.width * ZOOM;
    canvas.height = CROP.height * ZOOM;
    const ctx = canvas.getContext('2d');
    const at = (x, y) => (CROP.y + y) * W + CROP.x + x;
    for (let y = 0; y < CROP.height; y++) {
      for (let x = 0; x < CROP.width; x++) {
        const p = at(x, y) * 4;
        let [r, g, b] = [image.data[p], image.data[p + 1], image.data[p + 2]];
        if (data[at(x, y)]) [r, g, b] = [r + 0.45 * (0x1e - r), g + 0.45 * (0x90 - g), b + 0.45 * (0xff - b)];
        ctx.fillStyle = 'rgb(' + r + ',' + g + ',' + b + ')';
        ctx.fillRect(x * ZOOM, y * ZOOM, ZOOM, ZOOM);
      }
    }
    // Outline: the mask's pixel edges, in white; the true edge dashed in yellow.
    const edges = (m, style, dash) => {
      ctx.strokeStyle = style;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.beginPath();
      for (let y = 0; y < CROP.height; y++) {
        for (let x = 0; x < CROP.width; x++) {
          const v = m[at(x, y)];
          if (x + 1 < CROP.width && m[at(x + 1, y)] !== v) { ctx.moveTo((x + 1) * ZOOM, y * ZOOM); ctx.lineTo((x + 1) * ZOOM, (y + 1) * ZOOM); }
          if (y + 1 < CROP.height && m[at(x, y + 1)] !== v) { ctx.moveTo(x * ZOOM, (y + 1) * ZOOM); ctx.lineTo((x + 1) * ZOOM, (y + 1) * ZOOM); }
        }
      }
      ctx.stroke();
    };
    edges(data, 'rgba(255,255,255,0.9)', []);
    edges(image.truth.data, 'rgba(250,204,21,0.95)', [6, 6]);
    document.getElementById(name + '-caption').textContent =
      'edges="' + name + '" (4000x3000, ' + CROP.width + 'x' + CROP.height + ' px shown at ' + ZOOM + 'x): IoU ' + scores[name].iou.toFixed(4) + ', boundary F (2 px) ' + scores[name].f.toFixed(3);
  }
  return scores;
};
`;

const HTML = `<!doctype html><meta charset="utf-8">
<style>body{margin:0;background:#fff;font:14px system-ui,sans-serif;color:#111} figure{margin:0;padding:12px;display:inline-block} figcaption{padding-top:6px}</style>
<figure id="model-figure"><canvas id="model"></canvas><figcaption id="model-caption"></figcaption></figure>
<figure id="image-figure"><canvas id="image"></canvas><figcaption id="image-caption"></figcaption></figure>
<script type="module" src="page.js"></script>`;

const { page, url, close } = await openBundledPage({ script: PAGE_SCRIPT, html: HTML, mounts: { '/dist/': join(ROOT, 'dist'), '/test/': join(ROOT, 'test') } });
try {
  if (process.env.DEBUG) page.on('console', (m) => console.log('page:', m.text()));
  if (process.env.DEBUG) page.on('response', (r) => r.status() >= 400 && console.log('http', r.status(), r.url()));
  await page.setViewport({ width: 1000, height: 700, deviceScaleFactor: 1 });
  await page.goto(url);
  await page.waitForFunction(() => typeof window.draw === 'function');
  const scores = await page.evaluate(() => window.draw());
  await page.evaluate(() => document.querySelector('sam2-segmenter').remove());
  for (const name of ['model', 'image']) {
    const figure = await page.$(`#${name}-figure`);
    await figure.screenshot({ path: join(out, `edges-${name}.png`) });
  }
  console.log(`edges-model.png, edges-image.png → ${out}`, JSON.stringify(scores));
} finally {
  await close();
}

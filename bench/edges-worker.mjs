#!/usr/bin/env node
// Cost of `edges="image"` through the real worker (dist/sam2.worker.js, the colour fixture
// model, headless Chromium): what the element pays per mask. For each size a generated sharp
// scene is encoded once, then the object's mask is rendered again from the kept logits (the
// `render` request a change of `threshold` or `edges` sends) with `edges` "model" and "image",
// timed as round trips from the page (natural-size mask made and transferred). The first
// `edges="image"` request of an image also reads its pixels once (RGBA readback), shown apart.
//
//   npm run build && npm run fixtures && node bench/edges-worker.mjs [--runs 9] [--sizes 1000x1000,4000x3000]
import { openBundledPage } from '../scripts/bundled-page.mjs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' }, sizes: { type: 'string', default: '1000x1000,4000x3000' } } });

const PAGE_SCRIPT = `
import { WorkerClient } from '${ROOT}/src/client/worker-client.ts';
import { fetchManifest } from '${ROOT}/src/model/manifest.ts';
import { edgeScenes, renderScene } from '${ROOT}/test/edges/scenes.ts';

const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] }; };

globalThis.runBench = async ({ sizes, runs }) => {
  const client = new WorkerClient(() => ({
    worker: new URL('/dist/sam2.worker.js', location.origin),
    wasm: new URL('/dist/ort-wasm-simd-threaded.wasm', location.origin),
    glue: new URL('/dist/ort-wasm-simd-threaded.mjs', location.origin),
  }));
  const manifest = await fetchManifest(new URL('/test/fixtures/generated/colour.manifest.json', location.origin).href);
  await client.request({ type: 'load-model', manifest, backend: 'wasm' });
  const out = [];
  for (const [width, height] of sizes) {
    const scene = edgeScenes(width / height).find((s) => s.name === 'sharp');
    const image = renderScene(scene, width, height);
    const bitmap = await createImageBitmap(new ImageData(image.data, width, height));
    const imageKey = width + 'x' + height;
    await client.request({ type: 'encode', modelKey: manifest.key, imageKey, source: { kind: 'bitmap', bitmap }, embeddingCache: 'none' }, { transfer: [bitmap] });
    const prompts = { points: [{ x: scene.click[0] * width, y: scene.click[1] * height, label: 1 }], box: null };
    await client.request({ type: 'decode', modelKey: manifest.key, imageKey, objectId: 1, prompts, threshold: 0, maskIndex: null });
    const render = async (edges) => {
      const t = performance.now();
      await client.request({ type: 'render', imageKey, objectId: 1, threshold: 0, maskIndex: null, edges });
      return performance.now() - t;
    };
    const first = await render('image'); // includes the one-time RGBA readback
    const model = [];
    const refined = [];
    for (let i = 0; i < runs; i++) {
      model.push(await render('model'));
      refined.push(await render('image'));
    }
    out.push({ width, height, model: stats(model), image: stats(refined), first });
    await client.request({ type: 'release-image', imageKey });
  }
  client.terminate();
  return out;
};
`;

const { browser, page, url, close } = await openBundledPage({ script: PAGE_SCRIPT, mounts: { '/dist/': join(ROOT, 'dist'), '/test/': join(ROOT, 'test') } });
try {
  await page.goto(url);
  await page.waitForFunction(() => typeof window.runBench === 'function');
  const load0 = os.loadavg()[0];
  const sizes = values.sizes.split(',').map((s) => s.split('x').map(Number));
  const results = await page.evaluate((o) => window.runBench(o), { sizes, runs: Number(values.runs) });
  const ms = (s) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
  console.log(`\nChromium ${await browser.version()}, worker round trips, ${os.cpus().length} cores, load average ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}, ${values.runs} runs, ms median (min–max)`);
  console.log('| size | MP | render edges="model" | render edges="image" | extra | first edges="image" (incl. RGBA readback) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.width}x${r.height} | ${((r.width * r.height) / 1e6).toFixed(1)} | ${ms(r.model)} | ${ms(r.image)} | ${(r.image.median - r.model.median).toFixed(1)} | ${r.first.toFixed(1)} |`);
  }
} finally {
  await close();
}

#!/usr/bin/env node
// Cost of `edges="image"` in headless Chromium: the refinement (src/mask/refine.ts) against the
// model's own upsample (what `edges="model"` costs), on the generated scenes of the quality
// harness (test/edges/scenes.ts) at 1 MP and 12 MP, plus the one-time natural-size RGBA
// readback the worker needs per image. Prints medians of N runs (and min/max).
//
//   node bench/edges.mjs [--runs 9] [--sizes 1000x1000,4000x3000] [--scenes sharp,detail]
//
// Timings are wall-clock inside the page: on a shared machine they include other load (the
// script prints the load average next to them), so compare medians taken in one run. The same
// code is then timed in Node (same V8) by CPU time (process.cpuUsage), which other processes
// on the machine barely change: that is the cost to quote from a busy machine.
import { openBundledPage } from '../scripts/bundled-page.mjs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    sizes: { type: 'string', default: '1000x1000,4000x3000' },
    scenes: { type: 'string', default: 'sharp,detail,smooth' },
  },
});

const PAGE_SCRIPT = `
import { refineMaskWithImage, upsampleLogitsToMaskWithStats } from '${ROOT}/src/mask/index.ts';
import { edgeScenes, fixtureLogits, renderScene } from '${ROOT}/test/edges/scenes.ts';

const clock = typeof process !== 'undefined' && process.cpuUsage
  ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
  : () => performance.now();
const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] }; };

async function readback(width, height, data) {
  // What the worker does once per image: bitmap → natural-size RGBA.
  const bitmap = await createImageBitmap(new ImageData(data, width, height));
  const t0 = performance.now();
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  ctx.getImageData(0, 0, width, height);
  const ms = performance.now() - t0;
  bitmap.close();
  return ms;
}

globalThis.runBench = async ({ sizes, scenes, runs }) => {
  const out = [];
  for (const [width, height] of sizes) {
    for (const scene of edgeScenes(width / height).filter((s) => scenes.includes(s.name))) {
      const image = renderScene(scene, width, height);
      const logits = fixtureLogits(image, scene.target, scene.candidate);
      const model = [];
      const refine = [];
      let band = 0;
      for (let i = 0; i < runs + 1; i++) {
        let t = clock();
        upsampleLogitsToMaskWithStats(logits, 256, 256, width, height);
        const m = clock() - t;
        t = clock();
        const r = refineMaskWithImage(logits, 256, 256, image);
        const e = clock() - t;
        band = r.edges.bandPixels;
        if (i > 0) { model.push(m); refine.push(e); } // the first run warms the JIT up
      }
      const reads = [];
      if (typeof OffscreenCanvas !== 'undefined') for (let i = 0; i < 3; i++) reads.push(await readback(width, height, image.data));
      out.push({ scene: scene.name, width, height, band, model: stats(model), refine: stats(refine), readback: reads.length ? stats(reads) : null });
    }
  }
  return out;
};
`;

function print(title, results, load0, load1) {
  const ms = (s) => (s ? `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})` : '–');
  console.log(`\n${title}, ${os.cpus().length} cores, load average ${load0.toFixed(1)} → ${load1.toFixed(1)}, ${values.runs} runs, ms median (min–max)`);
  console.log('| scene | size | MP | band px | model upsample | edges="image" (incl. upsample) | RGBA readback (once per image) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.scene} | ${r.width}x${r.height} | ${((r.width * r.height) / 1e6).toFixed(1)} | ${r.band} | ${ms(r.model)} | ${ms(r.refine)} | ${ms(r.readback)} |`);
  }
}

const { browser, page, dir, url, close } = await openBundledPage({ script: PAGE_SCRIPT, files: { 'package.json': '{"type":"module"}' } });
try {
  await page.goto(url);
  await page.waitForFunction(() => typeof window.runBench === 'function');
  const sizes = values.sizes.split(',').map((s) => s.split('x').map(Number));
  const load0 = os.loadavg()[0];
  const options = { sizes, scenes: values.scenes.split(','), runs: Number(values.runs) };
  const results = await page.evaluate((o) => window.runBench(o), options);
  print(`Chromium ${await browser.version()} (wall clock)`, results, load0, os.loadavg()[0]);
  await import(join(dir, 'page.js'));
  const { runBench } = globalThis;
  const cpuLoad = os.loadavg()[0];
  print(`Node ${process.version} (CPU time)`, await runBench(options), cpuLoad, os.loadavg()[0]);
} finally {
  await close();
}

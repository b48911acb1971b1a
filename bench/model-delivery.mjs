#!/usr/bin/env node
// Model delivery benchmark: cold load (network → OPFS), warm load (OPFS only), bytes read from
// OPFS, and an interrupted download resumed in a new page, for the SAM 2.1 tiny bench model
// served from localhost. Headless Chromium via puppeteer-core, one browser profile (so OPFS
// persists between pages, as between visits).
//
//   npm run build && node bench/model-delivery.mjs [--runs 3]
//
// Needs bench/models/sam2.1_hiera_tiny/{encoder,decoder}.onnx (built here if missing with
// ../shared/bench-models/build.mjs). Manifests are written with `sam2-segmenter pack` into
// bench/models/delivery/{packed,unsplit}/ (git-ignored with bench/models/):
//   packed   50 MB parts with per-part SHA-256 (pack's default): one request per part
//   unsplit  one file per model with a whole-file SHA-256: 8 MiB Range requests, 4 at once
// Writes bench/results/model-delivery.{json,md}.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { createStaticServer } from '../scripts/static-server.mjs';
import { CHROMIUM_ARGS } from '../web-test-runner.config.mjs';
import { pack } from '../src/cli/pack.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = join(ROOT, 'bench', 'models');
const TINY = join(MODELS, 'sam2.1_hiera_tiny');
const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;

// --- model files and manifests --------------------------------------------------------------
if (!existsSync(join(TINY, 'encoder.onnx'))) {
  console.log('building the tiny bench model (154 MB)...');
  execFileSync(process.execPath, [resolve(ROOT, '../shared/bench-models/build.mjs'), MODELS, 'tiny'], { stdio: 'inherit' });
}
const variants = {
  packed: await pack({ encoder: join(TINY, 'encoder.onnx'), decoder: join(TINY, 'decoder.onnx'), out: join(MODELS, 'delivery', 'packed'), name: 'bench-tiny-packed' }),
  unsplit: await pack({ encoder: join(TINY, 'encoder.onnx'), decoder: join(TINY, 'decoder.onnx'), out: join(MODELS, 'delivery', 'unsplit'), name: 'bench-tiny-unsplit', partSize: 2 ** 31 }),
};
const totalBytes = (m) => m.encoder.bytes + m.decoder.bytes;

// --- server: the repo's static server (Range, COOP/COEP), counting model bytes sent ---------
const sent = { requests: 0, bytes: 0 };
const PAGE = `<!doctype html><meta charset="utf-8"><body><script type="module">
  import '/cdn/sam2-segmenter.js';
  import { workerStats } from '/cdn/testing.js';
  window.workerStats = workerStats;
  window.Segmenter = customElements.get('sam2-segmenter');
  // Loads a model, recording progress and timing; resolves on model-load or a fatal error.
  window.loadModel = (model) => new Promise((resolve) => {
    const el = document.createElement('sam2-segmenter');
    el.loading = 'eager';
    el.model = model;
    const t0 = performance.now();
    const out = { progress: [], warnings: [] };
    window.progress = out.progress;
    el.addEventListener('progress', (e) => {
      out.progress.push({ ...e.detail, at: performance.now() - t0 });
      if (e.detail.phase === 'compile' && out.downloadMs === undefined) out.downloadMs = performance.now() - t0;
      if (e.detail.phase === 'download') window.reportFraction?.(e.detail.fraction);
    });
    el.addEventListener('model-load', (e) => { out.loaded = e.detail; out.ms = performance.now() - t0; resolve(out); });
    el.addEventListener('error', (e) => {
      if (e.detail.code.startsWith('storage-')) return out.warnings.push(e.detail);
      out.error = e.detail; resolve(out);
    });
    document.body.append(el);
  });
  window.ready = true;
</script>`;
const server = createStaticServer({ root: ROOT });
const [serveStatic] = server.listeners('request');
server.removeAllListeners('request');
server.on('request', (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/bench-delivery.html') {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
    return;
  }
  // Model files only: the manifest is a small JSON file every visit fetches.
  if (url.pathname.startsWith('/bench/models/delivery/') && !url.pathname.endsWith('/manifest.json')) {
    sent.requests++;
    const write = res.write.bind(res);
    res.write = (chunk, ...rest) => {
      sent.bytes += chunk?.length ?? 0;
      return write(chunk, ...rest);
    };
  }
  serveStatic(req, res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://localhost:${server.address().port}`;

// --- browser --------------------------------------------------------------------------------
const executablePath = process.env.CHROME_PATH || execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });

async function openPage() {
  const page = await browser.newPage();
  await page.goto(`${origin}/bench-delivery.html`);
  await page.waitForFunction('window.ready === true');
  return page;
}

/** One load in a fresh page (a fresh worker: nothing in memory, only OPFS). */
async function load(manifestUrl) {
  const page = await openPage();
  const before = { ...sent };
  const result = await page.evaluate((url) => window.loadModel(url), manifestUrl);
  const stats = await page.evaluate(() => window.workerStats());
  await page.close();
  if (result.error) throw new Error(`load failed: ${JSON.stringify(result.error)}`);
  return {
    source: result.loaded.source,
    ms: result.ms,
    downloadMs: result.downloadMs,
    // onnxruntime's part (runtime start-up + both sessions), to tell it apart from delivery.
    sessionsMs: result.ms - result.downloadMs,
    threads: result.loaded.threads,
    fromCache: stats.modelBytesFromCache,
    fromNetwork: stats.modelBytesFromNetwork,
    requests: sent.requests - before.requests,
    bytesSent: sent.bytes - before.bytes,
    warnings: result.warnings,
  };
}

async function clearCache() {
  const page = await openPage();
  await page.evaluate(() => window.Segmenter.clearCache());
  await page.close();
}

/** Starts a cold load, closes the page once `fraction` of the bytes arrived, resumes in a new page. */
async function interrupted(manifestUrl, fraction = 0.5) {
  await clearCache();
  const page = await openPage();
  let reached;
  const reachedPromise = new Promise((r) => (reached = r));
  await page.exposeFunction('reportFraction', (f) => f >= fraction && reached(f));
  const before = { ...sent };
  void page.evaluate((url) => window.loadModel(url), manifestUrl).catch(() => {});
  const at = await reachedPromise;
  await page.close(); // the worker dies with the page, mid-download
  const firstBytes = sent.bytes - before.bytes;
  const resumed = await load(manifestUrl);
  return { interruptedAt: at, bytesBeforeInterrupt: firstBytes, ...resumed };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = {};
for (const [variant, manifest] of Object.entries(variants)) {
  const url = `${origin}/bench/models/delivery/${variant}/manifest.json`;
  const runs = { cold: [], warm: [], resume: [] };
  for (let i = 0; i < RUNS; i++) {
    await clearCache();
    runs.cold.push(await load(url));
    runs.warm.push(await load(url));
    runs.resume.push(await interrupted(url));
    console.log(`${variant} run ${i + 1}: cold ${runs.cold.at(-1).ms.toFixed(0)} ms, warm ${runs.warm.at(-1).ms.toFixed(0)} ms, resumed ${runs.resume.at(-1).ms.toFixed(0)} ms`);
  }
  const pick = (list, key) => median(list.map((r) => r[key]));
  results[variant] = {
    modelBytes: totalBytes(manifest),
    parts: manifest.encoder.parts.length + manifest.decoder.parts.length,
    cold: { ms: pick(runs.cold, 'ms'), downloadMs: pick(runs.cold, 'downloadMs'), sessionsMs: pick(runs.cold, 'sessionsMs'), requests: pick(runs.cold, 'requests'), bytesSent: pick(runs.cold, 'bytesSent'), source: runs.cold[0].source },
    warm: { ms: pick(runs.warm, 'ms'), cacheReadMs: pick(runs.warm, 'downloadMs'), sessionsMs: pick(runs.warm, 'sessionsMs'), bytesFromOpfs: pick(runs.warm, 'fromCache'), requests: pick(runs.warm, 'requests'), source: runs.warm[0].source },
    resume: {
      interruptedAtFraction: pick(runs.resume, 'interruptedAt'),
      msToModelLoad: pick(runs.resume, 'ms'),
      msToDownloadDone: pick(runs.resume, 'downloadMs'),
      bytesSentAfterResume: pick(runs.resume, 'bytesSent'),
      bytesFromOpfs: pick(runs.resume, 'fromCache'),
    },
    threads: runs.cold[0].threads,
    runs,
  };
}
const chromiumVersion = (await browser.version()).replace('HeadlessChrome/', '');
await browser.close();
server.close();

const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const lines = [
  `# Model delivery, SAM 2.1 tiny bench model (${mb(variants.packed.encoder.bytes + variants.packed.decoder.bytes)}), localhost, median of ${RUNS}`,
  '',
  '| | packed (50 MB parts) | unsplit (8 MiB ranges × 4) |',
  '|---|---|---|',
  `| cold: download + verify + store (until compile starts) | ${s(results.packed.cold.downloadMs)} | ${s(results.unsplit.cold.downloadMs)} |`,
  `| cold: until model-load (incl. sessions) | ${s(results.packed.cold.ms)} | ${s(results.unsplit.cold.ms)} |`,
  `| cold: requests / bytes sent | ${results.packed.cold.requests} / ${mb(results.packed.cold.bytesSent)} | ${results.unsplit.cold.requests} / ${mb(results.unsplit.cold.bytesSent)} |`,
  `| warm: read from OPFS (until compile starts) | ${s(results.packed.warm.cacheReadMs)} | ${s(results.unsplit.warm.cacheReadMs)} |`,
  `| warm: until model-load | ${s(results.packed.warm.ms)} | ${s(results.unsplit.warm.ms)} |`,
  `| (onnxruntime start + sessions, cold / warm) | ${s(results.packed.cold.sessionsMs)} / ${s(results.packed.warm.sessionsMs)} | ${s(results.unsplit.cold.sessionsMs)} / ${s(results.unsplit.warm.sessionsMs)} |`,
  `| warm: bytes read from OPFS / requests | ${mb(results.packed.warm.bytesFromOpfs)} / ${results.packed.warm.requests} | ${mb(results.unsplit.warm.bytesFromOpfs)} / ${results.unsplit.warm.requests} |`,
  `| resume: page closed at | ${(results.packed.resume.interruptedAtFraction * 100).toFixed(0)}% | ${(results.unsplit.resume.interruptedAtFraction * 100).toFixed(0)}% |`,
  `| resume: new page until download done | ${s(results.packed.resume.msToDownloadDone)} | ${s(results.unsplit.resume.msToDownloadDone)} |`,
  `| resume: new page until model-load | ${s(results.packed.resume.msToModelLoad)} | ${s(results.unsplit.resume.msToModelLoad)} |`,
  `| resume: bytes sent again / read from OPFS | ${mb(results.packed.resume.bytesSentAfterResume)} / ${mb(results.packed.resume.bytesFromOpfs)} | ${mb(results.unsplit.resume.bytesSentAfterResume)} / ${mb(results.unsplit.resume.bytesFromOpfs)} |`,
  '',
  `WASM threads: ${results.packed.threads}. Chromium ${chromiumVersion}, ${process.platform}, ${(await import('node:os')).cpus().length} cores.`,
];
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'model-delivery.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(ROOT, 'bench', 'results', 'model-delivery.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));

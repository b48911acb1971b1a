#!/usr/bin/env node
// Screenshots of the element's visible states (README "Loading and errors"), taken from the real
// element (cdn/ build, the real worker and onnxruntime) with the colour fixture model in headless
// Chromium: downloading (a model file held part-way), pending clicks (made while it downloads),
// analysing (the worker's fetch of the image held, after an earlier encode gave a time), and an
// error (a 404 manifest) with its Retry button.
//
//   npm run build && npm run fixtures && node scripts/states-screenshots.mjs [OUT_DIR]
//   (default docs/screenshots: states-downloading.png, states-pending.png, states-analysing.png,
//   states-error.png)
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { createStaticServer } from './static-server.mjs';
import { CHROMIUM_ARGS } from '../web-test-runner.config.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(ROOT, 'docs/screenshots'));
mkdirSync(out, { recursive: true });

const PAGE = `<!doctype html><meta charset="utf-8"><title>states</title>
<style>body{margin:0;background:#fff;font:14px system-ui,sans-serif} #shot{display:inline-block;padding:16px}</style>
<div id="shot"><sam2-segmenter id="seg" loading="eager" embedding-cache="none" alt="A landscape"></sam2-segmenter></div>
<script type="module" src="/cdn/sam2-segmenter.js"></script>`;

// Two routes over the static server:
//   /stall/<N>/<path>  Range requests that start at byte N or later are never answered (a download
//                      held part-way: the percentage stays where it is)
//   /slow/<MS>/<path>  answered after MS, except to <img> (the page shows the photo at once; the
//                      worker's fetch of the same photo, which the encode waits for, is slow)
const files = createStaticServer({ root: ROOT }).listeners('request')[0];
const held = new Set();
const server = createServer(async (req, res) => {
  if (req.url === '/states.html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    return void res.end(PAGE);
  }
  const stall = /^\/stall\/(\d+)(\/.*)$/.exec(req.url);
  const slow = /^\/slow\/(\d+)(\/.*)$/.exec(req.url);
  if (stall) {
    const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
    if (start >= Number(stall[1])) return void held.add(res);
    req.url = stall[2];
  } else if (slow) {
    if (req.headers['sec-fetch-dest'] !== 'image') await new Promise((r) => setTimeout(r, Number(slow[1])));
    req.url = slow[2];
  }
  files(req, res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://localhost:${server.address().port}`;

/** The colour fixture's manifest, its files through the given route. */
const manifest = async (page, decoderRoute = '') =>
  page.evaluate(async (decoderRoute) => {
    const base = new URL('/test/fixtures/generated/', location.origin);
    const m = await (await fetch(new URL('colour.manifest.json', base))).json();
    m.name = `states-${Math.random()}`;
    m.download = { rangeSize: 512, stallTimeout: 600000 };
    for (const role of ['encoder', 'decoder']) {
      const url = new URL(m[role].parts[0].url, base);
      m[role].parts[0].url = role === 'decoder' && decoderRoute ? new URL(decoderRoute + url.pathname, location.origin).href : url.href;
    }
    return m;
  }, decoderRoute);

const executablePath = process.env.CHROME_PATH ?? execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });

async function newPage() {
  const page = await browser.newPage();
  await page.setViewport({ width: 680, height: 520, deviceScaleFactor: 1 });
  await page.goto(`${origin}/states.html`);
  await page.waitForFunction(() => customElements.get('sam2-segmenter'));
  await page.evaluate(() => (document.getElementById('seg').style.width = '600px'));
  return page;
}

const shadowText = (page, selector) => page.evaluate((s) => document.getElementById('seg').shadowRoot.querySelector(s)?.textContent.replace(/\s+/g, ' ').trim() ?? null, selector);
const waitShadow = (page, selector, pattern) =>
  page.waitForFunction((s, p) => new RegExp(p).test(document.getElementById('seg').shadowRoot.querySelector(s)?.textContent ?? ''), { timeout: 60000, polling: 50 }, selector, pattern);
const imageShown = (page) => page.waitForFunction(() => document.getElementById('seg').shadowRoot.querySelector('img.image')?.naturalWidth > 0, { timeout: 60000 });
async function shoot(page, file) {
  await (await page.$('#shot')).screenshot({ path: join(out, file) });
  console.log(`${file}: ${await shadowText(page, '.status-text')} ${(await shadowText(page, '[part="error"]')) ?? ''}`.trim());
}

try {
  // Downloading: the decoder held at byte 3072 of 6709 (the encoder complete): 42 % of the whole load.
  {
    const page = await newPage();
    const m = await manifest(page, '/stall/3072');
    await page.evaluate((m) => Object.assign(document.getElementById('seg'), { model: m, src: '/demo/images/landscape.jpg' }), m);
    await imageShown(page);
    await waitShadow(page, '.status-text', 'Downloading model… [1-9]');
    await new Promise((r) => setTimeout(r, 500)); // let the bar's transition end
    await shoot(page, 'states-downloading.png');

    // Pending: two clicks on the shown image while the model still downloads.
    const box = await page.evaluate(() => {
      const r = document.getElementById('seg').shadowRoot.querySelector('.frame').getBoundingClientRect();
      return { x: r.left, y: r.top, w: r.width, h: r.height };
    });
    await page.mouse.click(box.x + box.w * 0.5, box.y + box.h * 0.3);
    await page.mouse.click(box.x + box.w * 0.62, box.y + box.h * 0.42);
    await waitShadow(page, '.status-text', '2 clicks');
    await shoot(page, 'states-pending.png');
    await page.close();
  }
  // Analysing: a first photo encoded (its time is remembered), then the second's fetch held.
  {
    const page = await newPage();
    const m = await manifest(page);
    await page.evaluate(
      (m) =>
        new Promise((resolve) => {
          const seg = document.getElementById('seg');
          seg.addEventListener('image-encode', resolve, { once: true });
          Object.assign(seg, { model: m, src: '/slow/4000/demo/images/portrait.jpg?first' });
        }),
      m,
    );
    await page.evaluate(() => (document.getElementById('seg').src = '/slow/20000/demo/images/landscape.jpg?second'));
    await imageShown(page);
    await waitShadow(page, '.status-text', 'Analysing image');
    await new Promise((r) => setTimeout(r, 2000));
    await shoot(page, 'states-analysing.png');
    await page.close();
  }
  // Error: a manifest that answers 404.
  {
    const page = await newPage();
    await page.evaluate(() => Object.assign(document.getElementById('seg'), { model: '/models/missing/manifest.json', src: '/demo/images/landscape.jpg' }));
    await imageShown(page);
    await waitShadow(page, '[part="error"]', 'could not');
    await shoot(page, 'states-error.png');
    await page.close();
  }
} finally {
  for (const res of held) res.destroy();
  await browser.close();
  server.close();
}

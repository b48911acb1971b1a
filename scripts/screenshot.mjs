#!/usr/bin/env node
// Screenshots of the demo in headless Chromium, for the docs and issue notes.
//   node scripts/screenshot.mjs OUT_DIR     (serves the repo itself on a free port)
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { createStaticServer } from './static-server.mjs';
import { CHROMIUM_ARGS } from '../web-test-runner.config.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? 'screenshots');
mkdirSync(out, { recursive: true });
const server = createStaticServer({ root });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://localhost:${server.address().port}`;
const executablePath = process.env.CHROME_PATH ?? execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });

async function openDemo(query = '') {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 860, deviceScaleFactor: 1 });
  await page.goto(`${base}/demo/${query}`);
  await page.waitForFunction(() => document.getElementById('seg').status === 'ready', { timeout: 60000 });
  return page;
}
/** Client coordinates of an image pixel of the demo element. */
async function at(page, x, y) {
  return page.evaluate(
    ([x, y]) => {
      const seg = document.getElementById('seg');
      const frame = seg.shadowRoot.querySelector('.frame').getBoundingClientRect();
      const { width, height } = seg.imageSize;
      const s = Math.min(frame.width / width, frame.height / height);
      return [frame.left + (frame.width - width * s) / 2 + x * s, frame.top + (frame.height - height * s) / 2 + y * s];
    },
    [x, y],
  );
}
const maskChange = (page) => page.evaluate(() => new Promise((r) => document.getElementById('seg').addEventListener('mask-change', () => requestAnimationFrame(() => r()), { once: true })));

try {
  const page = await openDemo();
  let done = maskChange(page);
  await page.mouse.click(...(await at(page, 690, 590)));
  await done;
  done = maskChange(page);
  await page.mouse.click(...(await at(page, 260, 250)));
  await done;
  await page.screenshot({ path: join(out, 'mask-and-points.png') });

  const boxPage = await openDemo();
  const [x1, y1] = await at(boxPage, 520, 300);
  const [x2, y2] = await at(boxPage, 870, 660);
  done = maskChange(boxPage);
  await boxPage.mouse.move(x1, y1);
  await boxPage.mouse.down();
  await boxPage.mouse.move(x2, y2, { steps: 8 });
  await boxPage.mouse.up();
  await done;
  await boxPage.screenshot({ path: join(out, 'box.png') });

  // The candidate chooser: pick the loosest candidate (#3) on the sun.
  const chooser = await openDemo();
  done = maskChange(chooser);
  await chooser.mouse.click(...(await at(chooser, 980, 150)));
  await done;
  const third = await chooser.evaluateHandle(() => document.getElementById('seg').shadowRoot.querySelectorAll('[part="candidates"] button')[2]);
  done = maskChange(chooser);
  await third.click();
  await done;
  await chooser.mouse.move(...(await at(chooser, 1100, 40)));
  await chooser.screenshot({ path: join(out, 'candidates.png'), clip: { x: 30, y: 60, width: 880, height: 600 } });

  const dark = await openDemo('?theme=dark');
  done = maskChange(dark);
  await dark.mouse.click(...(await at(dark, 980, 150)));
  await done;
  await dark.screenshot({ path: join(out, 'dark.png') });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  server.close();
}

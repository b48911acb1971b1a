/**
 * Loads a consumer app's page in headless Chromium and checks, through the public API only, that
 * the element works there: it is defined and upgraded, `model-load` and `image-encode` fire, a
 * click on the red ellipse gives the expected mask (IoU with the exact ground truth), the app's own
 * framework bindings saw the events (`#model-status`, `#mask-area` written by the app), and no
 * worker/.wasm/.mjs request was answered with an error or with HTML.
 */
import { execFileSync } from 'node:child_process';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS } from '../../../web-test-runner.config.mjs';
import { CLICK, EXPECTED_SHAPES, HEIGHT, SCENE, WIDTH } from './scene.mjs';

export const MIN_IOU = 0.97;

function chromiumPath() {
  if (process.env.CHROME_PATH) return process.env.CHROME_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      /* next */
    }
  }
  throw new Error('No Chromium found: install it (apt-get install chromium) or set CHROME_PATH');
}

export function launchBrowser() {
  return puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

const JAVASCRIPT = /^(text|application)\/(javascript|ecmascript)/i;

/** Runs in the page before any of its scripts: records the element's events (capture: `error` does not bubble). */
function recordEvents() {
  const log = { events: [], errors: [] };
  Object.defineProperty(window, '__sam2', { value: log });
  for (const type of ['model-load', 'image-encode', 'mask-change', 'error']) {
    window.addEventListener(
      type,
      (event) => {
        if (!(event.target instanceof Element) || event.target.localName !== 'sam2-segmenter') return;
        log.events.push({ type, detail: type === 'mask-change' ? { area: event.detail.area } : event.detail });
        if (type === 'error') log.errors.push(event.detail);
      },
      true,
    );
  }
}

/**
 * @param {import('puppeteer-core').Browser} browser
 * @param {string} url the app's page
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<{ ok: boolean, problems: string[], facts: Record<string, unknown> }>}
 */
export async function checkPage(browser, url, { timeoutMs = 120_000 } = {}) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const problems = [];
  const facts = { url, requests: {} };
  const consoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  // Every response (dedicated workers' requests reach the page's network events too): the
  // worker scripts are found by URL afterwards (bundlers rename them), .wasm/.mjs by extension.
  const responses = new Map();
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    const type = response.headers()['content-type'] ?? '';
    responses.set(path, { status: response.status(), type });
    if (response.status() >= 400) (facts.failedRequests ??= []).push(`${response.status()} ${path}`);
    if (/\.wasm$/.test(path) && response.status() < 300 && !/^application\/wasm/.test(type)) problems.push(`${path} was served as ${type || 'nothing'}, not application/wasm`);
    if (/\.(wasm|mjs)$/.test(path) && response.status() >= 400) problems.push(`${path} answered HTTP ${response.status()}`);
    if (/\.mjs$/.test(path) && response.status() < 300 && !JAVASCRIPT.test(type)) problems.push(`${path} was served as ${type || 'nothing'}, not JavaScript`);
  });
  page.on('requestfailed', (request) => {
    const path = new URL(request.url()).pathname;
    if (/\.(wasm|mjs|js)$/.test(path)) problems.push(`${path} failed: ${request.failure()?.errorText}`);
  });
  try {
    await page.evaluateOnNewDocument(recordEvents);
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    // Ready, or failed: either way stop waiting.
    await page.waitForFunction(
      () => window.__sam2.events.some((e) => e.type === 'image-encode' || e.type === 'error'),
      { timeout: timeoutMs, polling: 200 },
    );
    const state = await page.evaluate(() => {
      const element = document.querySelector('sam2-segmenter');
      const defined = customElements.get('sam2-segmenter');
      return {
        defined: Boolean(defined),
        upgraded: Boolean(element && defined && element instanceof defined),
        status: element?.getAttribute('status') ?? null,
        events: window.__sam2.events,
        errors: window.__sam2.errors,
      };
    });
    facts.status = state.status;
    const load = state.events.find((e) => e.type === 'model-load');
    facts.modelLoad = load?.detail ?? null;
    if (!state.defined) problems.push('sam2-segmenter is not defined');
    if (!state.upgraded) problems.push('the <sam2-segmenter> in the page is not upgraded');
    if (!load) problems.push('no model-load event');
    for (const error of state.errors) problems.push(`error event: ${error.code}: ${error.message}`);
    if (state.events.some((e) => e.type === 'image-encode')) {
      const result = await page.evaluate(
        async ({ click, width, height, scene, expected }) => {
          const element = document.querySelector('sam2-segmenter');
          const { mask, area } = await element.addPoint(click.x, click.y);
          const insideShape = (s, x, y) => {
            const dx = (x - s.cx * width) / (s.rx * width);
            const dy = (y - s.cy * height) / (s.ry * height);
            return s.kind === 'ellipse' ? dx * dx + dy * dy <= 1 : Math.abs(dx) <= 1 && Math.abs(dy) <= 1;
          };
          let both = 0;
          let either = 0;
          for (let y = 0; y < height; y++) {
            for (let x = 0; x < width; x++) {
              const truth = expected.some((i) => insideShape(scene[i], x + 0.5, y + 0.5));
              const got = mask.data[y * width + x] === 1;
              if (truth && got) both++;
              if (truth || got) either++;
            }
          }
          // The app's framework binding writes the last mask-change area here.
          await new Promise((resolve) => setTimeout(resolve, 300));
          return {
            size: `${mask.width}x${mask.height}`,
            area,
            iou: both / either,
            appMaskArea: document.querySelector('#mask-area')?.textContent ?? null,
            appModelStatus: document.querySelector('#model-status')?.textContent ?? null,
          };
        },
        { click: CLICK, width: WIDTH, height: HEIGHT, scene: SCENE, expected: EXPECTED_SHAPES },
      );
      Object.assign(facts, result);
      if (result.size !== `${WIDTH}x${HEIGHT}`) problems.push(`mask is ${result.size}, not ${WIDTH}x${HEIGHT}`);
      if (!(result.iou >= MIN_IOU)) problems.push(`mask IoU ${result.iou.toFixed(4)} < ${MIN_IOU}`);
      if (result.appMaskArea !== null && result.appMaskArea !== String(result.area)) {
        problems.push(`the app's mask-change binding shows area ${result.appMaskArea}, the mask has ${result.area}`);
      }
      if (result.appModelStatus !== null && result.appModelStatus !== 'loaded') {
        problems.push(`the app's model-load binding shows "${result.appModelStatus}"`);
      }
    }
    // The worker (and onnxruntime's thread workers, started from the same script).
    const workerPaths = [...new Set(page.workers().map((worker) => new URL(worker.url()).pathname))];
    facts.workers = workerPaths;
    if (!workerPaths.length) problems.push('no worker is running');
    for (const path of workerPaths) {
      const response = responses.get(path);
      if (!response) continue; // a blob: bootstrap
      facts.requests[path] = `${response.status} ${response.type}`;
      if (response.status === 304) continue; // revalidated: the body is the one checked before
      if (response.status !== 200 || !JAVASCRIPT.test(response.type)) problems.push(`worker ${path} answered ${response.status} ${response.type}`);
    }
    for (const [path, { status, type }] of responses) if (/\.(wasm|mjs)$/.test(path)) facts.requests[path] = `${status} ${type}`;
  } catch (error) {
    problems.push(`page check failed: ${error.message}`);
    try {
      facts.events = await page.evaluate(() => window.__sam2?.events);
    } catch {
      /* page gone */
    }
  } finally {
    facts.consoleErrors = consoleErrors.slice(0, 10);
    await context.close();
  }
  return { ok: problems.length === 0, problems, facts };
}

#!/usr/bin/env node
/**
 * Soak: does the element give memory back? In headless Chromium (the machine's own), against the
 * built bundle (npm run build; the fixture model from npm run fixtures unless --model):
 *
 *   1. images: one element, 30 different images x 20 prompts each;
 *   2. cycles: 20 x (create an element, encode a new image, click, remove it);
 *   3. control: the same 20 cycles with a plain <img> in a fresh browser, for the page's own drift.
 *
 * Renderer RSS (the page and its workers live in the renderer processes) is read from /proc at
 * the start, every tenth step and the end of each phase; `imagesHeld` and the other counters
 * come from the testing entry's workerStats(). Writes bench/results/soak.json and prints a table.
 *
 *   node bench/soak.mjs [--model URL] [--images 30] [--prompts 20] [--cycles 20] [--cache disk|memory|none]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { createStaticServer } from '../scripts/static-server.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: '/test/fixtures/generated/colour.manifest.json' },
    images: { type: 'string', default: '30' },
    prompts: { type: 'string', default: '20' },
    cycles: { type: 'string', default: '20' },
    cache: { type: 'string', default: 'disk' },
    out: { type: 'string', default: join(ROOT, 'bench/results/soak.json') },
  },
});
const IMAGES = Number(args.images);
const PROMPTS = Number(args.prompts);
const CYCLES = Number(args.cycles);

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const chromium = () => process.env.CHROME_PATH ?? execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();

/** Summed VmRSS of the renderer processes under the browser's pid. */
function rendererRss(browserPid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      /* gone */
    }
  }
  let total = 0;
  const queue = [browserPid];
  while (queue.length) {
    const pid = queue.shift();
    queue.push(...(children.get(pid) ?? []));
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      /* gone */
    }
  }
  return total;
}

const mib = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
const drift = (samples) => (samples.at(-1).rss - samples[0].rss) / samples[0].rss;

async function withBrowser(origin, run) {
  const browser = await puppeteer.launch({ executablePath: chromium(), headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => message.type() === 'error' && console.error(`[page] ${message.text()}`));
    await page.goto(`${origin}/bench/soak/page.html?cache=${args.cache}`);
    await page.waitForFunction('window.soakReady === true');
    const pid = browser.process().pid;
    const sample = async (phase, step) => {
      // Let the collector and the allocator settle a moment before reading.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const entry = { phase, step, rss: rendererRss(pid) };
      console.log(`${phase.padEnd(8)} step ${String(step).padStart(3)}  renderer RSS ${mib(entry.rss)} MiB`);
      return entry;
    };
    return await run(page, sample);
  } finally {
    await browser.close();
  }
}

const server = createStaticServer({ root: ROOT });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const model = new URL(args.model, origin).href;
const startedAt = Date.now();

try {
  const element = await withBrowser(origin, async (page, sample) => {
    await page.evaluate((m) => window.soak.start(m), model);
    const images = [await sample('images', 0)];
    for (let i = 1; i <= IMAGES; i++) {
      await page.evaluate((n) => window.soak.image(n), PROMPTS);
      if (i % 10 === 0 || i === IMAGES) images.push(await sample('images', i));
    }
    const afterImages = await page.evaluate(() => window.soak.stats());
    await page.evaluate(() => window.soak.endImages());
    const cycles = [await sample('cycles', 0)];
    for (let i = 1; i <= CYCLES; i++) {
      await page.evaluate((m) => window.soak.cycle(m), model);
      if (i % 10 === 0 || i === CYCLES) cycles.push(await sample('cycles', i));
    }
    const stats = await page.evaluate(() => window.soak.stats());
    return { images, cycles, afterImages, stats };
  });
  const control = await withBrowser(origin, async (page, sample) => {
    const samples = [await sample('img', 0)];
    for (let i = 1; i <= CYCLES; i++) {
      await page.evaluate(() => window.soak.imgCycle());
      if (i % 10 === 0 || i === CYCLES) samples.push(await sample('img', i));
    }
    return samples;
  });

  const result = {
    date: new Date().toISOString(),
    note: 'shared 2-core machine: RSS is stable, timings are not',
    options: { model: args.model, images: IMAGES, prompts: PROMPTS, cycles: CYCLES, embeddingCache: args.cache },
    seconds: Math.round((Date.now() - startedAt) / 1000),
    element: { images: element.images, cycles: element.cycles },
    control,
    drift: { images: drift(element.images), cycles: drift(element.cycles), control: drift(control) },
    imagesHeldAfterImages: element.afterImages?.imagesHeld ?? null,
    imagesHeld: element.stats?.imagesHeld ?? null,
    workerStats: element.stats,
  };
  result.cyclesDriftBeyondControl = result.drift.cycles - result.drift.control;
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, JSON.stringify(result, null, 2));
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  console.log(`\n| phase | start | end | drift |\n|---|---|---|---|`);
  for (const [name, samples] of [['30 images x 20 prompts', element.images], ['20 create/remove cycles', element.cycles], ['<img> control, 20 cycles', control]]) {
    console.log(`| ${name} | ${mib(samples[0].rss)} MiB | ${mib(samples.at(-1).rss)} MiB | ${pct(drift(samples))} |`);
  }
  console.log(`\ncycles drift beyond the <img> control: ${pct(result.cyclesDriftBeyondControl)} (target ≤ 10 %)`);
  console.log(`imagesHeld: ${result.imagesHeldAfterImages} after the image phase (1 element), ${result.imagesHeld} after the cycles (target 0)`);
  console.log(`wrote ${args.out} (${result.seconds} s)`);
} finally {
  server.close();
}

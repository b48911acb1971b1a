#!/usr/bin/env node
/**
 * The warm-path cost of verified cache reads: a model-sized set of chunks (default 155 MB, the
 * SAM 2.1 tiny encoder + decoder, in the loader's 8 MiB chunks) written with the real OPFS store,
 * then read back (a) as the loader does, each chunk checked against its stored SHA-256, (b) with
 * the same reads and no check, and (c) the digests alone. Median of --rounds, headless Chromium.
 *
 *   node bench/verify-cost.mjs [--mb 155] [--rounds 5]
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { createStaticServer } from '../scripts/static-server.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { mb: { type: 'string', default: '155' }, rounds: { type: 'string', default: '5' } } });
const bytes = Math.round(Number(args.mb) * 1e6);
const chunk = 8 * 2 ** 20;

const out = await mkdtemp(join(tmpdir(), 'sam2-verify-'));
await build({ entryPoints: [join(ROOT, 'bench/verify-cost/worker.ts')], bundle: true, format: 'esm', outfile: join(out, 'worker.js'), logLevel: 'error' });
const server = createStaticServer({ root: out });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH ?? execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim(),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(`${origin}/worker.js`);
  const result = await page.evaluate(
    (options) =>
      new Promise((resolve, reject) => {
        const worker = new Worker('/worker.js', { type: 'module' });
        worker.onmessage = (event) => resolve(event.data);
        worker.onerror = (event) => reject(new Error(event.message));
        worker.postMessage(options);
      }),
    { bytes, chunk, rounds: Number(args.rounds) },
  );
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const m = Object.fromEntries(Object.entries(result.results).map(([k, v]) => [k, median(v)]));
  const rate = (ms) => `${((bytes / 1e6) / (ms / 1000)).toFixed(0)} MB/s`;
  console.log(`${(bytes / 1e6).toFixed(0)} MB in ${Math.ceil(bytes / chunk)} chunks of 8 MiB, median of ${args.rounds} (all: ${JSON.stringify(result.results, (k, v) => (typeof v === 'number' ? Math.round(v) : v))})`);
  console.log(`read, no check      ${m.raw.toFixed(0)} ms (${rate(m.raw)})`);
  console.log(`read + SHA-256      ${m.verified.toFixed(0)} ms (${rate(m.verified)})`);
  console.log(`SHA-256 alone       ${m.digestOnly.toFixed(0)} ms (${rate(m.digestOnly)})`);
  console.log(`cost on the warm path: +${(m.verified - m.raw).toFixed(0)} ms`);
} finally {
  await browser.close();
  server.close();
  await rm(out, { recursive: true, force: true });
}

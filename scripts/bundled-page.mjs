/**
 * A page for a Node script to drive: a page script that imports repository modules (src/, test/,
 * dist/) bundled with esbuild into a temporary folder, served by the repository's static server
 * (plus `mounts`), in headless Chromium. The edge bench, the worker edge bench and the edge
 * screenshots share it; `close()` ends the browser, the server and the folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { createStaticServer } from './static-server.mjs';
import { CHROMIUM_ARGS } from '../web-test-runner.config.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `html` loads the bundle as `page.js` (in `dir`); `files` are written beside it (name → text). */
export async function openBundledPage({ script, html = '<!doctype html><script type="module" src="page.js"></script>', mounts, files = {} }) {
  const dir = await mkdtemp(join(os.tmpdir(), 'sam2-page-'));
  const cleanUp = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const step of cleanUp.reverse()) await step();
  };
  try {
    await build({ stdin: { contents: script, resolveDir: ROOT, loader: 'js' }, bundle: true, format: 'esm', outfile: join(dir, 'page.js'), logLevel: 'warning' });
    await writeFile(join(dir, 'index.html'), html);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const server = createStaticServer({ root: dir, mounts });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    cleanUp.push(() => server.close());
    const executablePath = process.env.CHROME_PATH ?? execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
    const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    cleanUp.push(() => browser.close());
    const page = await browser.newPage();
    return { browser, page, dir, url: `http://localhost:${server.address().port}/`, close };
  } catch (error) {
    await close();
    throw error;
  }
}

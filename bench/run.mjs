#!/usr/bin/env node
// `npm run bench`: the benchmark harness (issue #6). Serves the built package, drives headless
// Chromium (puppeteer-core) through <sam2-segmenter>'s PUBLIC API on the SAM 2.1 bench models,
// and measures, in the same run with the same Chromium, flags and thread count, the raw
// onnxruntime-web floor (bench/floor.worker.js) against the element.
// Writes bench/results/latest.json (every sample) and bench/results/latest.md (the table).
// See bench/README.md for what each number means.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createStaticServer } from '../scripts/static-server.mjs';
import { writeManifest } from './manifest.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, 'bench');
const RESULTS = join(BENCH, 'results');
const TMP = join(RESULTS, 'tmp');
const MODELS = join(BENCH, 'models');
const MODEL_NAME = 'sam2.1_hiera_tiny';
const MODEL_DIR = join(MODELS, MODEL_NAME);
const IMAGE_DIR = join(MODELS, 'images');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'generated');
const SCENARIOS = ['floor', 'element', 'warm', 'multi', 'webgpu'];
const started = Date.now();

// --- options ---------------------------------------------------------------------------------
const USAGE = `usage: npm run bench -- [options]     (or: node bench/run.mjs [options] after npm run build)
  --threads 1,2        thread counts to measure (1 = served without COOP/COEP, 2 = with them)
  --quick              fewer repetitions, no 8000x6000 image
  --only LIST          any of ${SCENARIOS.join(',')} (comma-separated; default all)
  --encoder-runs N     floor encoder.run repetitions (default 3, quick 1)
  --decoder-runs N     floor decoder.run repetitions (default 20, quick 10)
  --clicks N           element clicks per image size (default 10, quick 5)
  --image-reps N       element image encodes of the 1000x600 photo (default 1);
                       the larger photos get N-1 (at least 1)
  --ua-memory WHEN     measureUserAgentSpecificMemory snapshots (~60 s each with threads):
                       end (default: one, at the end of the run) | all | off
  --timeout-min N      abort the whole run after N minutes (default 20)
  --verbose            print the pages' console`;

let args;
try {
  args = parseArgs({
    options: {
      threads: { type: 'string', default: '1,2' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'encoder-runs': { type: 'string' },
      'decoder-runs': { type: 'string' },
      clicks: { type: 'string' },
      'image-reps': { type: 'string' },
      'timeout-min': { type: 'string' },
      'ua-memory': { type: 'string', default: 'end' },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const int = (value, fallback) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`expected a non-negative integer, got "${value}"`);
  return n;
};
const quick = args.quick;
const only = args.only ? args.only.split(',').map((s) => s.trim()) : SCENARIOS;
for (const name of only) if (!SCENARIOS.includes(name)) fail(`--only: unknown scenario "${name}" (known: ${SCENARIOS.join(', ')})`);
const threadCounts = args.threads.split(',').map((s) => int(s.trim()));
if (threadCounts.some((t) => t < 1)) fail('--threads: thread counts start at 1');
const config = {
  quick,
  threads: threadCounts,
  scenarios: only,
  encoderRuns: Math.max(1, int(args['encoder-runs'], quick ? 1 : 3)),
  decoderRuns: Math.max(1, int(args['decoder-runs'], quick ? 10 : 20)),
  clicks: int(args.clicks, quick ? 5 : 10),
  imageReps: Math.max(1, int(args['image-reps'], 1)),
  preprocessReps: quick ? 1 : 2,
  warmReps: quick ? 1 : 2,
  sizes: quick ? [[1000, 600], [4000, 3000]] : [[1000, 600], [4000, 3000], [8000, 6000]],
  timeoutMin: int(args['timeout-min'], 20),
  uaMemory: args['ua-memory'],
  contention: !quick,
};
if (!['end', 'all', 'off'].includes(config.uaMemory)) fail('--ua-memory: end, all or off');
// The scenario whose end gets the single UA memory snapshot (`--ua-memory end`).
const maxThreads = Math.max(...config.threads);
const uaTarget = only.includes('multi') ? `multi3-${maxThreads}` : `element-${maxThreads}`;
const sizeName = ([w, h]) => `${w}x${h}`;
// Where clicks land, as fractions of the displayed image (cleared in between: one point each).
const CLICK_POINTS = [[0.3, 0.4], [0.6, 0.7], [0.45, 0.55], [0.2, 0.75], [0.7, 0.3], [0.5, 0.5], [0.35, 0.65], [0.8, 0.6]];

function fail(message, code = 2) {
  console.error(`bench: ${message}`);
  process.exit(code);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

// --- Chromium --------------------------------------------------------------------------------
function findChromium() {
  if (process.env.CHROME_PATH) {
    if (!existsSync(process.env.CHROME_PATH)) fail(`CHROME_PATH=${process.env.CHROME_PATH} does not exist`);
    return process.env.CHROME_PATH;
  }
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      /* next */
    }
  }
  return null;
}
const CHROME = findChromium();
if (!CHROME) {
  fail('no Chromium found. Install it (apt-get install chromium) or set CHROME_PATH=/path/to/chrome. ' +
    'puppeteer-core does not download a browser.');
}
// Imported only now: the test-runner config resolves Chromium when it loads.
const { CHROMIUM_ARGS } = await import('../web-test-runner.config.mjs');
const { default: puppeteer } = await import('puppeteer-core');

// --- everything the run starts, so it can always be stopped ------------------------------------
const browsers = new Set();
const servers = [];
/** Work left running in the background (the slow UA memory snapshot), awaited before the report. */
const deferred = [];
let shuttingDown = false;
async function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  await Promise.allSettled([...browsers].map(closeBrowser));
  await Promise.allSettled(servers.map((s) => new Promise((r) => { s.closeAllConnections?.(); s.close(r); })));
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    console.error(`bench: ${signal}, closing the browser and servers (partial results are written)`);
    results.errors.push({ scenario: 'signal', error: signal });
    await shutdown();
    await finish().catch(() => {});
    process.exit(130);
  });
}
const watchdog = setTimeout(async () => {
  console.error(`bench: the run exceeded --timeout-min ${config.timeoutMin}; aborting (partial results are written)`);
  results.errors.push({ scenario: 'watchdog', error: `run exceeded ${config.timeoutMin} min` });
  await shutdown();
  await finish().catch((error) => console.error(error));
  process.exit(1);
}, config.timeoutMin * 60_000);
watchdog.unref();

async function launch(extraArgs = []) {
  const browser = await puppeteer.launch({
    executablePath: CHROME,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    defaultViewport: { width: 1280, height: 1000, deviceScaleFactor: 1 },
    protocolTimeout: 15 * 60_000,
    timeout: 60_000,
    handleSIGINT: false,
    handleSIGTERM: false,
  });
  browsers.add(browser);
  return browser;
}

async function closeBrowser(browser) {
  browsers.delete(browser);
  const child = browser.process();
  await Promise.race([browser.close().catch(() => {}), sleep(10_000)]);
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function openPage(browser, url, onConsole) {
  const page = await browser.newPage();
  page.on('console', (message) => {
    const text = message.text();
    onConsole?.(text);
    if (args.verbose || text.startsWith('floor:')) log(`  page: ${text}`);
  });
  page.on('pageerror', (error) => log(`  page error: ${error.message}`));
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  await page.waitForFunction(() => window.bench || window.runFloor, { timeout: 30_000 });
  return page;
}

const withTimeout = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms).unref())]);

// --- renderer memory from /proc ----------------------------------------------------------------
function processTree(rootPid) {
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
  const out = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift();
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

const kib = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;

/** Samples every 200 ms: peak of the summed RSS of the renderer processes and of the whole browser. */
class ProcSampler {
  constructor(pid) {
    this.pid = pid;
    this.supported = process.platform === 'linux' && existsSync('/proc/self/status');
    this.reset();
    this.timer = setInterval(() => this.sample(), 200);
    this.timer.unref();
  }
  reset() {
    this.peak = { rendererRss: 0, totalRss: 0, samples: 0 };
    this.hwm = new Map();
  }
  sample() {
    if (!this.supported) return null;
    let rendererRss = 0;
    let totalRss = 0;
    let renderers = 0;
    for (const pid of processTree(this.pid)) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const rss = kib(status, 'VmRSS');
        totalRss += rss;
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) {
          rendererRss += rss;
          renderers++;
          this.hwm.set(pid, Math.max(this.hwm.get(pid) ?? 0, kib(status, 'VmHWM')));
        }
      } catch {
        /* exited */
      }
    }
    this.peak.rendererRss = Math.max(this.peak.rendererRss, rendererRss);
    this.peak.totalRss = Math.max(this.peak.totalRss, totalRss);
    this.peak.samples++;
    return { rendererRss, totalRss, renderers };
  }
  /** Peaks since the last reset: sampled sums, and the kernel's per-renderer high-water marks. */
  report() {
    const now = this.sample();
    const hwm = [...this.hwm.values()];
    return {
      supported: this.supported,
      peakRendererRssBytes: this.peak.rendererRss,
      peakBrowserTotalRssBytes: this.peak.totalRss,
      rendererVmHWMMaxBytes: hwm.length ? Math.max(...hwm) : 0,
      rendererVmHWMSumBytes: hwm.reduce((a, b) => a + b, 0),
      rendererProcesses: this.hwm.size,
      samples: this.peak.samples,
      endRendererRssBytes: now?.rendererRss ?? 0,
    };
  }
  stop() {
    clearInterval(this.timer);
  }
}

/**
 * CPU ticks (1/100 s) of every thread of a browser, keyed "process type/thread name" (e.g.
 * "renderer/DedicatedWorker", "renderer/CrRendererMain", "renderer/ThreadPoolForeg"). Differences
 * of two snapshots say WHERE an operation spent CPU, and CPU time is far less sensitive than wall
 * time to other processes competing for the cores.
 */
function threadCpu(browserPid) {
  const out = {};
  for (const pid of processTree(browserPid)) {
    let type = 'browser';
    try {
      type = /--type=([\w-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? 'browser';
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        try {
          const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
          // A process's first thread carries the executable's name: call it what it is.
          const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[\d:]+$/, '').trim() || 'thread';
          const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          const key = `${type}/${name}`;
          out[key] = (out[key] ?? 0) + Number(rest[11]) + Number(rest[12]);
        } catch {
          /* thread gone */
        }
      }
    } catch {
      /* process gone */
    }
  }
  return out;
}

/** CPU seconds per thread group between two threadCpu() snapshots (groups under 0.02 s dropped). */
function cpuDelta(before, after) {
  const out = {};
  for (const [key, ticks] of Object.entries(after)) {
    const d = (ticks - (before[key] ?? 0)) / 100;
    if (d >= 0.02) out[key] = Number(d.toFixed(2));
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

/**
 * CPU time used on the machine by processes that are NOT this run (other engineers' builds and
 * tests): the busy jiffies of /proc/stat minus the utime+stime of this process tree, per interval.
 * `foreignShare` = that time ÷ (wall time × cores): 0 on a quiet machine, 0.5 = one core taken.
 */
class CpuAccount {
  constructor() {
    this.tick = 100; // USER_HZ on Linux
    this.cores = os.cpus().length;
    this.started = Date.now();
    this.foreign = 0;
    this.ours = 0;
    this.last = null;
  }
  read() {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: busy = all − idle − iowait
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const busy = total - fields[3] - fields[4];
    const steal = fields[7] ?? 0;
    const perPid = new Map();
    for (const pid of processTree(process.pid)) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        perPid.set(pid, Number(rest[11]) + Number(rest[12]));
      } catch {
        /* gone */
      }
    }
    return { busy, steal, perPid };
  }
  sample() {
    try {
      const now = this.read();
      if (this.last) {
        let ours = 0;
        for (const [pid, t] of now.perPid) ours += Math.max(0, t - (this.last.perPid.get(pid) ?? 0));
        const busy = now.busy - this.last.busy;
        this.ours += ours;
        this.foreign += Math.max(0, busy - ours);
        this.steal = (this.steal ?? 0) + (now.steal - this.last.steal);
      }
      this.last = now;
    } catch {
      /* no /proc */
    }
  }
  report() {
    const wall = (Date.now() - this.started) / 1000;
    return {
      wallS: Number(wall.toFixed(1)),
      oursCpuS: Number((this.ours / this.tick).toFixed(1)),
      foreignCpuS: Number((this.foreign / this.tick).toFixed(1)),
      foreignShare: wall ? Number((this.foreign / this.tick / (wall * this.cores)).toFixed(3)) : 0,
      stealS: Number(((this.steal ?? 0) / this.tick).toFixed(1)),
    };
  }
}

/**
 * A fixed single-threaded JS workload (best of 7, ~40 ms each on this class of machine): tells a
 * slow or overcommitted host (vCPU time taken by other VMs is invisible to /proc here) from a slow
 * harness. Compare `calibration.ms` between runs before comparing their numbers.
 */
function calibrate() {
  const a = new Float32Array(1 << 16).map((_, i) => (i % 7) * 0.5);
  let best = Infinity;
  let sink = 0;
  for (let k = 0; k < 7; k++) {
    const t = performance.now();
    for (let r = 0; r < 100; r++) for (let i = 0; i < a.length; i++) sink += a[i] * a[(i * 7) & 65535];
    best = Math.min(best, performance.now() - t);
  }
  return { ms: Number(best.toFixed(1)), sink };
}

/** Anything else busy on the machine (other engineers' test runs): noise worth recording. */
function machineActivity() {
  const ours = new Set(processTree(process.pid));
  for (const browser of browsers) {
    const pid = browser.process()?.pid;
    if (pid) for (const p of processTree(pid)) ours.add(p);
  }
  const others = [];
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name) || ours.has(Number(name))) continue;
      try {
        const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
        const exe = basename(cmd[0] ?? '');
        if (/chrom|node|wtr|rollup|esbuild|tsc/.test(exe) && !cmd.some((c) => c.includes('--type='))) others.push(cmd.slice(0, 3).join(' ').slice(0, 120));
      } catch {
        /* gone */
      }
    }
  } catch {
    /* no /proc */
  }
  return { loadavg: os.loadavg().map((x) => Number(x.toFixed(2))), otherProcesses: others.filter((c) => !c.includes('bench/run.mjs')) };
}

// --- inputs: models, manifest, images, fixtures, dist snapshot, floor bundle ---------------------
async function ensureModels() {
  const encoder = join(MODEL_DIR, 'encoder.onnx');
  const decoder = join(MODEL_DIR, 'decoder.onnx');
  if (!existsSync(encoder) || !existsSync(decoder)) {
    const candidates = [process.env.BENCH_MODELS_BUILDER, join(ROOT, '..', 'shared', 'bench-models', 'build.mjs'), '/work/shared/bench-models/build.mjs'].filter(Boolean);
    const builder = candidates.find((p) => existsSync(p));
    if (!builder) fail(`bench models missing and no builder found (tried ${candidates.join(', ')}); set BENCH_MODELS_BUILDER`);
    log(`building the bench models with ${builder} (once; bench/models is git-ignored)`);
    execFileSync(process.execPath, [builder, MODELS, 'tiny'], { stdio: 'inherit' });
  }
  const { written, manifest } = await writeManifest(MODEL_DIR, { name: MODEL_NAME });
  if (written) log(`wrote ${join('bench/models', MODEL_NAME, 'manifest.json')}`);
  return manifest;
}

async function ensureFixtures() {
  if (existsSync(join(FIXTURES, 'colour.manifest.json'))) return true;
  log('building the test fixtures (npm run fixtures) for the WebGPU smoke test');
  try {
    execFileSync(process.execPath, [join(ROOT, 'test', 'fixtures', 'build-fixtures.mjs')], { stdio: 'inherit', cwd: ROOT });
    return true;
  } catch {
    return false;
  }
}

/**
 * The bench serves a copy of dist/ and cdn/ (the element with lit bundled, as a page without a
 * bundler loads it): other engineers rebuilding them mid-run can't change what is measured.
 */
async function snapshotDist() {
  for (const file of ['cdn/sam2-segmenter.js', 'cdn/testing.js', 'dist/sam2.worker.js', 'dist/ort-wasm-simd-threaded.wasm', 'dist/ort-wasm-simd-threaded.mjs']) {
    if (!existsSync(join(ROOT, file))) fail(`${file} is missing: run "npm run build" (npm run bench does it first)`);
  }
  await mkdir(TMP, { recursive: true });
  for (const dir of ['dist', 'cdn']) {
    await rm(join(TMP, dir), { recursive: true, force: true });
    await cp(join(ROOT, dir), join(TMP, dir), { recursive: true, filter: (src) => !src.endsWith('.map') && !src.includes('/types') });
  }
}

async function bundleFloor() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(BENCH, 'paint.probe.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(TMP, 'paint.probe.js'),
    logLevel: 'warning',
  });
  const result = await esbuild.build({
    entryPoints: [join(BENCH, 'floor.worker.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // Same resolution as rollup's nodeResolve in rollup.config.mjs.
    conditions: ['browser', 'import', 'default'],
    outfile: join(TMP, 'floor.worker.js'),
    metafile: true,
    logLevel: 'warning',
  });
  await esbuild.stop?.();
  const ortInput = Object.keys(result.metafile.inputs).find((p) => p.includes('onnxruntime-web/dist/'));
  return { ortEntry: ortInput ?? null };
}

async function ensureImages(origin) {
  await mkdir(IMAGE_DIR, { recursive: true });
  const wanted = [[1000, 600], [4000, 3000], [8000, 6000]].filter(([w, h]) => !existsSync(join(IMAGE_DIR, `${w}x${h}.jpg`)));
  if (!wanted.length) return;
  log(`generating bench photos ${wanted.map(sizeName).join(', ')} (once, in-page OffscreenCanvas → JPEG q0.9)`);
  const browser = await launch();
  try {
    const page = await openPage(browser, `${origin}/bench/pages/element.html`);
    for (const size of wanted) {
      const bytes = await page.evaluate((w, h, name) => bench.makePhoto(w, h, name), size[0], size[1], `${sizeName(size)}.jpg`);
      log(`  ${sizeName(size)}.jpg: ${(bytes / 1e6).toFixed(1)} MB`);
    }
  } finally {
    await closeBrowser(browser);
  }
}

// --- the server: static files (COOP/COEP on or off) + request counts + photo upload -----------
const requestCounts = new Map();
const bytesServed = new Map();
function countOf(prefix, map = requestCounts) {
  let n = 0;
  for (const [path, count] of map) if (path === prefix || path.startsWith(`${prefix}?`)) n += count;
  return n;
}
/** Requests (Range requests count one each) and bytes served for the model files since the last reset. */
const modelRequests = () => ({
  manifest: countOf(`/models/${MODEL_NAME}/manifest.json`),
  encoder: countOf(`/models/${MODEL_NAME}/encoder.onnx`),
  decoder: countOf(`/models/${MODEL_NAME}/decoder.onnx`),
  encoderBytes: countOf(`/models/${MODEL_NAME}/encoder.onnx`, bytesServed),
  decoderBytes: countOf(`/models/${MODEL_NAME}/decoder.onnx`, bytesServed),
});
const resetCounts = () => {
  requestCounts.clear();
  bytesServed.clear();
};

async function startServer(isolate) {
  const files = createStaticServer({
    root: ROOT,
    isolate,
    mounts: { '/dist/': join(TMP, 'dist'), '/cdn/': join(TMP, 'cdn'), '/tmp/': TMP, '/models/': MODELS, '/fixtures/': FIXTURES },
  });
  const serveFile = files.listeners('request')[0];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'PUT' && url.pathname.startsWith('/__upload/')) {
      const name = basename(decodeURIComponent(url.pathname));
      if (!/^[\w.-]+\.jpg$/.test(name)) return res.writeHead(400).end();
      const out = createWriteStream(join(IMAGE_DIR, name));
      req.pipe(out);
      out.on('finish', () => res.writeHead(201).end());
      out.on('error', () => res.writeHead(500).end());
      return;
    }
    if (req.method === 'GET') {
      const key = url.pathname + url.search;
      requestCounts.set(key, (requestCounts.get(key) ?? 0) + 1);
      // Body bytes actually written (a response the browser cancels counts what it was sent).
      let sent = 0;
      const count = (chunk) => {
        if (chunk && typeof chunk !== 'function') sent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      };
      const write = res.write;
      const end = res.end;
      res.write = function (chunk, ...rest) {
        count(chunk);
        return write.call(this, chunk, ...rest);
      };
      res.end = function (chunk, ...rest) {
        count(chunk);
        return end.call(this, chunk, ...rest);
      };
      res.on('close', () => {
        if (res.statusCode < 300) bytesServed.set(key, (bytesServed.get(key) ?? 0) + sent);
      });
    }
    // A photo asked for with a query string gets that string appended after its end marker: each
    // encode's URL is then a different image by content (the worker's embedding cache keys the
    // bytes' SHA-256, so a repeated photo would be a cache hit, not an encode); decoders ignore
    // bytes after EOI, and the <img> and the worker fetch the same URL, so they agree.
    if (req.method === 'GET' && url.pathname.startsWith('/models/images/') && url.search && existsSync(join(IMAGE_DIR, basename(url.pathname)))) {
      const body = Buffer.concat([readFileSync(join(IMAGE_DIR, basename(url.pathname))), Buffer.from(`\n${url.search}`)]);
      if (isolate) {
        res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
        res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      }
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': body.length, 'Cache-Control': 'no-cache', 'Cross-Origin-Resource-Policy': 'cross-origin', 'Access-Control-Allow-Origin': '*' });
      return res.end(body);
    }
    serveFile(req, res);
  });
  await new Promise((r, reject) => server.listen(0, '127.0.0.1', r).on('error', reject));
  servers.push(server);
  return { server, isolate, origin: `http://127.0.0.1:${server.address().port}` };
}

// --- scenarios --------------------------------------------------------------------------------
const modelUrl = (origin) => `${origin}/models/${MODEL_NAME}/manifest.json`;
const imageUrl = (origin, size, tag) => `${origin}/models/images/${sizeName(size)}.jpg?${tag}`;

/**
 * JS heap (+ wasm memory, which counts as JavaScript) by `performance.measureUserAgentSpecificMemory()`.
 * Only when cross-origin isolated, and only where `--ua-memory` asks: with ORT's pthreads parked
 * in Atomics.wait Chromium cannot visit them and answers after its ~60 s timeout (forcing a GC
 * over CDP or --enable-blink-features=ForceEagerMeasureMemory does not help), so by default the
 * run takes ONE snapshot, at its end (the last wasm scenario of the largest thread count).
 */
async function pageMemory(page, isolated, scenarioKey) {
  const wanted = config.uaMemory === 'all' || (config.uaMemory === 'end' && scenarioKey === uaTarget);
  if (!isolated || !wanted) return page.evaluate(() => bench.memory(0));
  log('  measureUserAgentSpecificMemory() (~60 s with ORT pthreads) …');
  return page.evaluate(() => bench.memory(90000));
}

async function loadModel(page, model) {
  return page.evaluate(async (m) => {
    const i = bench.create({ model: m });
    const t0 = bench.mount([i]);
    const loaded = await bench.waitFor(i, 'model-load', t0, 300000);
    return { ...loaded, events: bench.events(i, t0).filter((e) => e.type !== 'mask-change') };
  }, model);
}

/** Progress timeline of a model load (public `progress` events), ms after `model` was set. */
function loadPhases(events) {
  const first = (pred) => events.find(pred)?.t ?? null;
  return {
    firstDownloadProgress: first((e) => e.type === 'progress' && e.detail.phase === 'download'),
    downloadDone: first((e) => e.type === 'progress' && e.detail.phase === 'download' && e.detail.fraction >= 1),
    compileStart: first((e) => e.type === 'progress' && e.detail.phase === 'compile'),
    encoderCreated: first((e) => e.type === 'progress' && e.detail.phase === 'compile' && e.detail.fraction >= 0.5),
    decoderCreated: first((e) => e.type === 'progress' && e.detail.phase === 'compile' && e.detail.fraction >= 1),
    modelLoad: first((e) => e.type === 'model-load'),
  };
}

async function clickOnce(page, index, point) {
  const target = await page.evaluate((i, fx, fy) => bench.clientPoint(i, fx, fy), index, point[0], point[1]);
  const since = await page.evaluate(() => bench.now());
  await page.mouse.click(target.x, target.y);
  const result = await page.evaluate((i, s) => bench.waitClick(i, s, 120000), index, since);
  await page.evaluate((i) => bench.clear(i), index);
  await sleep(30);
  return result;
}

/**
 * The floor and the element in ONE page of one browser, at one thread count. The floor worker is
 * set up first (fetch, init, sessions, pre-processing copies); then the element loads cold; then
 * floor encoder.runs and element image encodes ALTERNATE (F E F E F E …) so each element encode
 * has a floor run next to it under the same machine load: the paired ratios survive other
 * engineers' test runs far better than a ratio of two medians taken minutes apart. Then clicks,
 * the floor's decoder runs and post-processing, the revisit, memory, and the warm reloads.
 * With `floor` only or `element` only, the other half is skipped.
 */
async function pairedScenario(threads, srv, { floor = true, element = true, images = true } = {}) {
  const out = { floor: null, element: null };
  const browser = await launch();
  const pid = browser.process().pid;
  const sampler = new ProcSampler(pid);
  try {
    const page = await openPage(browser, `${srv.origin}/bench/pages/element.html`);
    const isolated = await page.evaluate(() => bench.crossOriginIsolated());
    const opfsCleared = await page.evaluate(() => bench.clearOpfs());
    const model = modelUrl(srv.origin);
    const f = floor ? (out.floor = { crossOriginIsolated: isolated, encoderRunMs: [], encoderCpu: [], decoderRunMs: [] }) : null;
    const e = element ? (out.element = { threads, crossOriginIsolated: isolated, opfsCleared, images: {}, clicks: {}, clickCpu: {}, pairs: [], warm: [] }) : null;

    const floorEncode = async () => {
      const cpuBefore = threadCpu(pid);
      const ms = await page.evaluate(() => bench.floorCall('encode'));
      f.encoderRunMs.push(ms);
      f.encoderCpu.push(cpuDelta(cpuBefore, threadCpu(pid)));
      return ms;
    };

    if (e) {
      resetCounts();
      const cold = await loadModel(page, model);
      e.cold = { ms: cold.ms, detail: cold.detail, phases: loadPhases(cold.events), requests: modelRequests() };
      log(`  cold load ${cold.ms.toFixed(0)} ms (${cold.detail.source}, ${cold.detail.backend}, threads ${cold.detail.threads})`);
      if (cold.detail.threads !== threads) {
        log(`  CHECK FAILED: model-load.detail.threads = ${cold.detail.threads}, expected ${threads}`);
        results.errors.push({ scenario: `element, ${threads} thread(s)`, error: `model-load.detail.threads = ${cold.detail.threads}, expected ${threads}` });
        exitCode = 1;
      }
    }

    // The floor starts after the element's cold load, so that load runs in a fresh renderer like a
    // visitor's; the floor's ORT init then reuses the wasm code the element's worker compiled (same
    // process), which makes it a lower bound, as a floor should be.
    if (f) {
      await page.evaluate((url) => bench.floorStart(url), `${srv.origin}/tmp/floor.worker.js`);
      const before = sampler.sample()?.rendererRss ?? 0;
      // Only the encoder's input here: the pre-processing copies are timed in the fresh renderer.
      const setup = await floorSetup(page, srv, threads, [[1000, 600]], 1);
      f.afterElement = { initMs: setup.initMs, create: setup.create, fetch: setup.fetch, sha256: setup.sha256 };
      f.memory = { rendererRssAfterSetupBytes: (sampler.sample()?.rendererRss ?? 0), rendererRssBeforeSetupBytes: before };
    }

    // The interleaved encodes. The 1000x600 photo (the floor's own input) gets --image-reps encodes.
    const plan = e && images ? config.sizes.flatMap((size) => Array.from({ length: size[0] === 1000 ? config.imageReps : Math.max(1, config.imageReps - 1) }, () => size)) : [];
    const floorRuns = f ? config.encoderRuns : 0;
    const encodedUrls = [];
    let lastFloorMs = null;
    // E1 F1 E2 F2 …: each element encode is paired with the floor run right after it. E1 is the
    // page's first encoder run (it pays wasm tier-up and ORT's arena growth, as a visitor's does).
    for (let i = 0; i < Math.max(floorRuns, plan.length); i++) {
      let encoded = null;
      if (i < plan.length) {
        const size = plan[i];
        const name = sizeName(size);
        e.images[name] ??= [];
        // A fresh query string per encode: the worker's embedding cache keys URLs.
        const url = imageUrl(srv.origin, size, `t${threads}-i${i}-${Date.now()}`);
        const cpuBefore = threadCpu(pid);
        const r = await page.evaluate(async (u) => {
          const t0 = bench.setSrc(0, u);
          const done = await bench.waitFor(0, 'image-encode', t0, 600000);
          return { ...done, paints: bench.paintsBetween(t0, done.t), events: bench.events(0, t0).filter((x) => x.type !== 'mask-change') };
        }, url);
        const cpu = cpuDelta(cpuBefore, threadCpu(pid));
        const path = new URL(url).pathname + new URL(url).search;
        e.images[name].push({ ms: r.ms, detailMs: r.detail.ms, width: r.detail.width, height: r.detail.height, imageRequests: requestCounts.get(path) ?? 0, cpu, paints: r.paints, events: r.events });
        encodedUrls.push(url);
        encoded = { name, ms: r.ms, size };
      }
      if (i < floorRuns) lastFloorMs = await floorEncode();
      if (!encoded) continue;
      const { name, size } = encoded;
      if (lastFloorMs != null) e.pairs.push({ image: name, elementMs: encoded.ms, floorMs: lastFloorMs, ratio: encoded.ms / lastFloorMs });
      log(`  ${name}: image set → image-encode ${encoded.ms.toFixed(0)} ms${lastFloorMs != null ? ` (paired floor encoder.run ${lastFloorMs.toFixed(0)} ms)` : ''}`);
      // Clicks on this image while it is the current one (after its last repetition).
      if (plan[i + 1] !== size && config.clicks) {
        if (f && !f.decoderRunMs.length) {
          const cpuBeforeDecode = threadCpu(pid);
          f.decoderRunMs = await page.evaluate((runs) => bench.floorCall('decode', { runs }), config.decoderRuns);
          f.decoderCpu = { runs: config.decoderRuns, cpu: cpuDelta(cpuBeforeDecode, threadCpu(pid)) };
        }
        e.clicks[name] = [];
        const clickCpuBefore = threadCpu(pid);
        for (let c = 0; c < config.clicks; c++) e.clicks[name].push(await clickOnce(page, 0, CLICK_POINTS[c % CLICK_POINTS.length]));
        e.clickCpu[name] = { clicks: config.clicks, cpu: cpuDelta(clickCpuBefore, threadCpu(pid)) };
        log(`  ${name}: click → painted median ${median(e.clicks[name].map((c) => c.downToPaintedMs)).toFixed(0)} ms, mask visible ${median(e.clicks[name].map((c) => c.downToMaskVisibleMs)).toFixed(0)} ms (${config.clicks} clicks)`);
      }
    }

    if (f && config.contention) {
      // Does the page's own image work slow ORT's threads down? One more floor encoder.run while the
      // page decodes and paints the 4000x3000 photo in an <img> (what the element's display does).
      const url = imageUrl(srv.origin, [4000, 3000], `contention-${Date.now()}`);
      const cpuBefore = threadCpu(pid);
      const run = page.evaluate(() => bench.floorCall('encode'));
      await sleep(500);
      const display = await page.evaluate((u) => bench.displayImage(u), url);
      const ms = await run;
      f.contention = { image: '4000x3000', encoderRunMs: ms, displayMs: display, cpu: cpuDelta(cpuBefore, threadCpu(pid)) };
      log(`  floor encoder.run while the page shows a 4000x3000 <img>: ${ms.toFixed(0)} ms (display took ${display.toFixed(0)} ms)`);
    }

    if (f) {
      if (!f.decoderRunMs.length) {
        const cpuBeforeDecode = threadCpu(pid);
        f.decoderRunMs = await page.evaluate((runs) => bench.floorCall('decode', { runs }), config.decoderRuns);
        f.decoderCpu = { runs: config.decoderRuns, cpu: cpuDelta(cpuBeforeDecode, threadCpu(pid)) };
      }
      const post = await page.evaluate((sizes) => bench.floorCall('postprocess', { sizes }), config.sizes.map((size) => ({ name: sizeName(size), width: size[0], height: size[1] })));
      f.postprocess = post.sizes;
      f.maskStats = { scores: post.scores, best: post.best };
      await page.evaluate(() => bench.floorCall('release'));
      await page.evaluate(() => bench.floorStop());
      // Main-thread floor: the element's OverlayPainter on a full-resolution mask.
      await page.addScriptTag({ url: `${srv.origin}/tmp/paint.probe.js`, type: 'module' });
      await page.waitForFunction(() => window.paintProbe, { timeout: 30_000 });
      f.paint = await page.evaluate((sizes) => window.paintProbe(sizes, 5), config.sizes);
    }

    if (e) {
      // Returning to an image encoded earlier: the embedding cache (or not) decides.
      if (encodedUrls.length >= 2) {
        const url = encodedUrls.at(-2);
        const r = await page.evaluate(async (u) => {
          const t0 = bench.setSrc(0, u);
          return bench.waitFor(0, 'image-encode', t0, 600000);
        }, url);
        e.revisit = { url: new URL(url).pathname + new URL(url).search, ms: r.ms, detail: r.detail };
        log(`  revisit an earlier image: ${r.ms.toFixed(0)} ms`);
      }
      e.workerStats = await page.evaluate(() => bench.workerStats());
      // Peak RSS here includes the floor's own sessions when the floor ran in this page: the
      // element's memory alone comes from the `multi` scenario.
      e.memory = { proc: sampler.report(), includesFloor: !!f };
      e.memory.page = await pageMemory(page, isolated, `element-${threads}`);
      // Warm: reload the page (same browser profile: HTTP cache + OPFS survive), same model.
      e.opfsAfterColdRun = await page.evaluate(() => bench.opfsEntries());
      for (let rep = 0; rep < config.warmReps; rep++) {
        resetCounts();
        await page.reload({ waitUntil: 'load', timeout: 60_000 });
        await page.waitForFunction(() => window.bench, { timeout: 30_000 });
        const warm = await loadModel(page, model);
        const requests = modelRequests();
        e.warm.push({ ms: warm.ms, detail: warm.detail, phases: loadPhases(warm.events), requests });
        log(`  warm load ${warm.ms.toFixed(0)} ms (${warm.detail.source}; model bytes served ${requests.encoderBytes + requests.decoderBytes})`);
      }
      if (threads === Math.max(...config.threads)) {
        // Embeddings on disk: encode a photo with embedding-cache="disk" (stored in OPFS), reload
        // the page (a new worker: nothing in memory), and set the same photo again.
        const url = imageUrl(srv.origin, [1000, 600], `disk-${Date.now()}`);
        const encodeOnce = () =>
          page.evaluate(async (u) => {
            bench.setEmbeddingCache(0, 'disk');
            const t0 = bench.setSrc(0, u);
            return bench.waitFor(0, 'image-encode', t0, 600000);
          }, url);
        const first = await encodeOnce();
        await new Promise((resolve) => setTimeout(resolve, 1500)); // the OPFS write follows the reply
        await page.reload({ waitUntil: 'load', timeout: 60_000 });
        await page.waitForFunction(() => window.bench, { timeout: 30_000 });
        await loadModel(page, model);
        const again = await encodeOnce();
        const stats = await page.evaluate(() => bench.workerStats());
        e.diskRevisit = { firstMs: first.ms, revisitMs: again.ms, timings: again.detail.timings, diskHits: stats?.embeddingDiskHits ?? null, imagesEncoded: stats?.imagesEncoded ?? null };
        log(`  disk revisit after a reload: ${again.ms.toFixed(0)} ms (first encode ${first.ms.toFixed(0)} ms; disk hits ${e.diskRevisit.diskHits}, encodes ${e.diskRevisit.imagesEncoded})`);
      }
    } else if (f) {
      f.memory.proc = sampler.report();
    }
    return out;
  } finally {
    sampler.stop();
    await closeBrowser(browser);
  }
}

/** The started floor worker's set-up: fetch, ORT init, sessions, pre-processing copies of `sizes`. */
function floorSetup(page, srv, threads, sizes, preprocessReps) {
  return page.evaluate((c) => bench.floorCall('setup', c), {
    wasmUrl: `${srv.origin}/dist/ort-wasm-simd-threaded.wasm`,
    threads,
    encoderUrl: `${srv.origin}/models/${MODEL_NAME}/encoder.onnx`,
    decoderUrl: `${srv.origin}/models/${MODEL_NAME}/decoder.onnx`,
    images: sizes.map((size) => ({ name: sizeName(size), url: imageUrl(srv.origin, size, 'floor'), width: size[0], height: size[1] })),
    preprocessReps,
    point: [300, 240],
  });
}

/** The floor's start-up in a FRESH renderer (nothing compiled yet, like a visitor's first page), plus the pre-processing copies. */
async function floorFreshScenario(threads, srv) {
  const browser = await launch();
  const sampler = new ProcSampler(browser.process().pid);
  try {
    const page = await openPage(browser, `${srv.origin}/bench/pages/element.html`);
    await page.evaluate((url) => bench.floorStart(url), `${srv.origin}/tmp/floor.worker.js`);
    const before = sampler.sample()?.rendererRss ?? 0;
    const setup = await floorSetup(page, srv, threads, config.sizes, config.preprocessReps);
    const after = sampler.sample()?.rendererRss ?? 0;
    return { ...setup, memory: { rendererRssBeforeSetupBytes: before, rendererRssAfterSetupBytes: after } };
  } finally {
    sampler.stop();
    await closeBrowser(browser);
  }
}

/** `count` elements on one page, same model, different 1000x600 photos: downloads, sessions, memory. */
async function multiScenario(threads, srv, count) {
  const browser = await launch();
  const sampler = new ProcSampler(browser.process().pid);
  let keepOpen = false;
  try {
    const page = await openPage(browser, `${srv.origin}/bench/pages/element.html`);
    await page.evaluate(() => bench.clearOpfs());
    resetCounts();
    const urls = Array.from({ length: count }, (_, i) => imageUrl(srv.origin, [1000, 600], `multi${count}-t${threads}-${i}-${Date.now()}`));
    const r = await page.evaluate(async (model, srcs) => {
      const indices = srcs.map((src) => bench.create({ model, src, width: '400px' }));
      const t0 = bench.mount(indices);
      const loads = await Promise.all(indices.map((i) => bench.waitFor(i, 'model-load', t0, 300000)));
      const encodes = await Promise.all(indices.map((i) => bench.waitFor(i, 'image-encode', t0, 900000)));
      return { loads, encodes };
    }, modelUrl(srv.origin), urls);
    const clicks = [];
    for (let i = 0; i < count; i++) clicks.push(await clickOnce(page, i, CLICK_POINTS[i]));
    const workerStats = await page.evaluate(() => bench.workerStats());
    const proc = sampler.report();
    const result = {
      count,
      loadMs: r.loads.map((l) => l.ms),
      loadSources: r.loads.map((l) => l.detail.source),
      threads: r.loads.map((l) => l.detail.threads),
      allEncodedMs: Math.max(...r.encodes.map((e) => e.ms)),
      clicks,
      requests: modelRequests(),
      workerStats,
      memory: { proc, page: null },
    };
    const key = `multi${count}-${threads}`;
    if (srv.isolate && config.uaMemory === 'end' && key === uaTarget) {
      // The ~60 s UA memory wait is idle time: let the next scenario (WebGPU smoke, another
      // browser) run meanwhile; the RSS numbers above are already taken. Awaited before the report.
      keepOpen = true;
      log('  measureUserAgentSpecificMemory() started (~60 s with ORT pthreads; finishes in the background)');
      deferred.push(
        page
          .evaluate(() => bench.memory(90000))
          .then((memory) => (result.memory.page = memory))
          .catch((error) => (result.memory.page = { uaError: String(error.message ?? error) }))
          .finally(async () => {
            sampler.stop();
            await closeBrowser(browser);
          }),
      );
    } else {
      result.memory.page = await pageMemory(page, srv.isolate, key);
    }
    return result;
  } finally {
    if (!keepOpen) {
      sampler.stop();
      await closeBrowser(browser);
    }
  }
}

/** Correctness smoke test on SwiftShader WebGPU with the tiny fixture model (not a speed number). */
async function webgpuScenario(srv) {
  const browser = await launch(['--enable-unsafe-webgpu']);
  try {
    const page = await openPage(browser, `${srv.origin}/bench/pages/element.html`);
    const adapter = await page.evaluate(() => bench.gpuAdapter());
    const model = `${srv.origin}/fixtures/colour.manifest.json`;
    const result = await page.evaluate(async (m) => {
      const out = {};
      for (const backend of ['webgpu', 'wasm']) {
        const i = bench.create({ model: m, backend, width: '500px' });
        const t0 = bench.mount([i]);
        await bench.setImageBlob(i, 'colour-scene');
        try {
          const load = await bench.waitFor(i, 'model-load', t0, 180000);
          const encoded = await bench.waitFor(i, 'image-encode', t0, 180000);
          // The red ellipse's centre: the fixture model selects the pixels of that colour.
          const point = await bench.addPoint(i, 320, 252, backend);
          out[backend] = { loaded: true, loadMs: load.ms, modelLoad: load.detail, readyMs: encoded.ms, mask: point, status: bench.status(i) };
        } catch (error) {
          out[backend] = { loaded: false, code: error.code ?? null, message: String(error.message ?? error), status: bench.status(i) };
        }
        bench.remove(i);
      }
      out.iouWebgpuVsWasm = bench.iou('webgpu', 'wasm');
      return out;
    }, model);
    return { adapter, ...result };
  } finally {
    await closeBrowser(browser);
  }
}

// --- statistics and the report -------------------------------------------------------------------
function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
const fmtMs = (ms) => (ms == null ? '–' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const fmtMiB = (bytes) => (bytes == null || !bytes ? '–' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const ratio = (a, b) => (a == null || b == null || !b ? null : a / b);
const fmtRatio = (r) => (r == null ? '–' : `${r.toFixed(2)}×`);

function summarise(results) {
  const summary = {};
  for (const [t, run] of Object.entries(results.runs)) {
    const s = (summary[t] = {});
    const f = run.floor && !run.floor.error ? run.floor : null;
    if (f) {
      s.floor = {
        initMs: f.initMs,
        encoderCreateMs: f.create.encoderMs,
        decoderCreateMs: f.create.decoderMs,
        createMs: f.create.encoderMs + f.create.decoderMs,
        fetchMs: f.fetch.encoderMs + f.fetch.decoderMs,
        sha256Ms: f.sha256.encoderMs + f.sha256.decoderMs,
        afterElement: f.afterElement ? { initMs: f.afterElement.initMs, createMs: f.afterElement.create.encoderMs + f.afterElement.create.decoderMs } : null,
        contention: f.contention ?? null,
        encoderRunMs: median(f.encoderRunMs),
        encoderMinMs: f.encoderRunMs.length ? Math.min(...f.encoderRunMs) : null,
        encoderMaxMs: f.encoderRunMs.length ? Math.max(...f.encoderRunMs) : null,
        encoderFirstRunMs: f.encoderRunMs[0],
        decoderRunMs: median(f.decoderRunMs),
        preprocess: Object.fromEntries(
          Object.entries(f.preprocess ?? {}).map(([name, samples]) => [
            name,
            Object.fromEntries(['fetchMs', 'decodeMs', 'resizeMs', 'readbackMs', 'normaliseMs', 'elementPathMs', 'decodeDefaultAlphaMs', 'decodeResizedMs', 'resizedPathMs', 'blobIdentityMs'].map((k) => [k, median(samples.map((x) => x[k]))])),
          ]),
        ),
        postprocess: Object.fromEntries(Object.entries(f.postprocess ?? {}).map(([name, samples]) => [name, { upsampleMs: median(samples.map((x) => x.upsampleMs)), statsMs: median(samples.map((x) => x.bboxMs + x.areaMs)), totalMs: median(samples.map((x) => x.totalMs)), fusedMs: median(samples.map((x) => x.fusedMs)) }])),
        paintMs: Object.fromEntries(Object.entries(f.paint ?? {}).map(([name, p]) => [name, median(p.paintMs)])),
        sessionsRssBytes: f.memory ? f.memory.rendererRssAfterSetupBytes - f.memory.rendererRssBeforeSetupBytes : null,
      };
    }
    const e = run.element && !run.element.error ? run.element : null;
    if (e) {
      s.element = {
        threadsReported: e.cold?.detail?.threads,
        crossOriginIsolated: e.crossOriginIsolated,
        coldLoadMs: e.cold?.ms,
        coldSource: e.cold?.detail?.source,
        coldPhases: e.cold?.phases,
        warmLoadMs: median(e.warm.map((w) => w.ms)),
        warmSources: e.warm.map((w) => w.detail.source),
        warmEncoderRequests: e.warm.map((w) => w.requests.encoder),
        warmModelBytes: e.warm.map((w) => w.requests.encoderBytes + w.requests.decoderBytes),
        coldModelBytes: e.cold ? e.cold.requests.encoderBytes + e.cold.requests.decoderBytes : null,
        images: Object.fromEntries(Object.entries(e.images).map(([name, samples]) => [name, median(samples.map((x) => x.ms))])),
        imageRequestsPerEncode: Object.fromEntries(Object.entries(e.images).map(([name, samples]) => [name, samples.map((x) => x.imageRequests)])),
        clicksPainted: Object.fromEntries(Object.entries(e.clicks).map(([name, samples]) => [name, median(samples.map((x) => x.downToPaintedMs))])),
        clicksVisible: Object.fromEntries(Object.entries(e.clicks).map(([name, samples]) => [name, median(samples.map((x) => x.downToMaskVisibleMs ?? x.downToPaintedMs))])),
        clicksEarlyPaint: Object.fromEntries(Object.entries(e.clicks).map(([name, samples]) => [name, samples.filter((x) => x.earlyPaint).length])),
        clicksMaskChange: Object.fromEntries(Object.entries(e.clicks).map(([name, samples]) => [name, median(samples.map((x) => x.downToMaskChangeMs))])),
        pairedRatio: Object.fromEntries(Object.keys(e.images).map((name) => [name, median(e.pairs.filter((p) => p.image === name).map((p) => p.ratio))])),
        pairedRatioAll: median(e.pairs.map((p) => p.ratio)),
        paintsPerClick: Object.fromEntries(Object.entries(e.clicks).map(([name, samples]) => [name, median(samples.map((x) => x.paints?.count))])),
        paintMsPerClick: Object.fromEntries(Object.entries(e.clicks).map(([name, samples]) => [name, median(samples.map((x) => x.paints?.ms))])),
        revisitMs: e.revisit?.ms,
        diskRevisit: e.diskRevisit ?? null,
        workerStats: e.workerStats,
        peakRendererRssBytes: e.memory?.proc?.peakRendererRssBytes,
        uaMemoryBytes: e.memory?.page?.ua?.bytes ?? null,
      };
    }
    const m1 = run.multi1 && !run.multi1.error ? run.multi1 : null;
    const m3 = run.multi3 && !run.multi3.error ? run.multi3 : null;
    if (m1 || m3) {
      s.multi = {
        one: m1 && { rss: m1.memory.proc.peakRendererRssBytes, ua: m1.memory.page?.ua?.bytes ?? null, requests: m1.requests, sessionsCreated: m1.workerStats?.sessionsCreated },
        three: m3 && { rss: m3.memory.proc.peakRendererRssBytes, ua: m3.memory.page?.ua?.bytes ?? null, requests: m3.requests, sessionsCreated: m3.workerStats?.sessionsCreated, loadSources: m3.loadSources, threads: m3.threads },
      };
      s.multi.rssRatio = ratio(m3?.memory.proc.peakRendererRssBytes, m1?.memory.proc.peakRendererRssBytes);
      s.multi.uaRatio = ratio(m3?.memory.page?.ua?.bytes, m1?.memory.page?.ua?.bytes);
    }
  }
  return summary;
}

function markdown(results) {
  const env = results.environment;
  const lines = [];
  lines.push(`# sam2-segmenter bench — ${env.date}`);
  lines.push('');
  lines.push(`${env.chromium}; ${env.cores} cores (${env.cpuModel}); Node ${env.node}; onnxruntime-web ${env.ortVersion}; model ${MODEL_NAME} (bench weights); ${config.quick ? 'quick' : 'full'} run, wall time ${(results.wallTimeMs / 1000).toFixed(0)} s.`);
  lines.push('');
  lines.push('| metric | threads | element (median) | floor (median) | element ÷ floor | paired ratio |');
  lines.push('|---|---|---|---|---|---|');
  for (const [t, s] of Object.entries(results.summary)) {
    const f = s.floor;
    const e = s.element;
    if (e) {
      for (const [name, ms] of Object.entries(e.images)) {
        const n = results.runs[t].element.images[name].length;
        lines.push(`| image set → \`image-encode\`, ${name} (n=${n}) | ${t} | ${fmtMs(ms)} | encoder.run ${fmtMs(f?.encoderRunMs)} (n=${results.runs[t].floor?.encoderRunMs?.length ?? 0}, ${fmtMs(f?.encoderMinMs)}–${fmtMs(f?.encoderMaxMs)}) | ${fmtRatio(ratio(ms, f?.encoderRunMs))} | ${fmtRatio(e.pairedRatio[name])} |`);
      }
      for (const [name, ms] of Object.entries(e.clicksPainted)) {
        const n = results.runs[t].element.clicks[name].length;
        lines.push(`| click → \`mask-change\` → next frame, ${name} (n=${n}) | ${t} | ${fmtMs(ms)} | decoder.run ${fmtMs(f?.decoderRunMs)} | ${fmtRatio(ratio(ms, f?.decoderRunMs))} | – |`);
        const visible = e.clicksVisible?.[name];
        const early = e.clicksEarlyPaint?.[name] ? `, display-size mask first in ${e.clicksEarlyPaint[name]}/${n}` : '';
        lines.push(`| click → mask visible${early}, ${name} (n=${n}) | ${t} | ${fmtMs(visible)} | decoder.run ${fmtMs(f?.decoderRunMs)} | ${fmtRatio(ratio(visible, f?.decoderRunMs))} | – |`);
      }
      lines.push(`| warm load: reload → \`model-load\` (${e.warmSources.join(', ')}) | ${t} | ${fmtMs(e.warmLoadMs)} | encoder+decoder create ${fmtMs(f?.createMs)} | ${fmtRatio(ratio(e.warmLoadMs, f?.createMs))} | – |`);
      lines.push(`| warm load, vs ORT init + create | ${t} | ${fmtMs(e.warmLoadMs)} | init+create ${fmtMs(f ? f.initMs + f.createMs : null)} | ${fmtRatio(ratio(e.warmLoadMs, f ? f.initMs + f.createMs : null))} | – |`);
      const coldFloor = f ? f.fetchMs + f.initMs + f.createMs : null;
      lines.push(`| cold load: \`model\` → \`model-load\` (${e.coldSource}) | ${t} | ${fmtMs(e.coldLoadMs)} | fetch+init+create ${fmtMs(coldFloor)} | ${fmtRatio(ratio(e.coldLoadMs, coldFloor))} | – |`);
    } else if (f) {
      lines.push(`| encoder.run / decoder.run (floor only) | ${t} | – | ${fmtMs(f.encoderRunMs)} / ${fmtMs(f.decoderRunMs)} | – | – |`);
    }
    if (s.multi) {
      const m = s.multi;
      lines.push(`| peak renderer RSS, 3 elements ÷ 1 element | ${t} | ${fmtMiB(m.three?.rss)} | 1 element ${fmtMiB(m.one?.rss)} | ${fmtRatio(m.rssRatio)} | – |`);
      if (m.uaRatio != null) lines.push(`| measureUserAgentSpecificMemory, 3 ÷ 1 | ${t} | ${fmtMiB(m.three?.ua)} | 1 element ${fmtMiB(m.one?.ua)} | ${fmtRatio(m.uaRatio)} | – |`);
      else if (m.three?.ua) lines.push(`| measureUserAgentSpecificMemory at the end, 3 elements (JS + wasm) | ${t} | ${fmtMiB(m.three.ua)} | – | – | – |`);
    }
  }
  lines.push('');
  lines.push('Floor and element run in one page (E1 F1 E2 F2 …, the element first): "paired ratio" = each element encode ÷ the floor encoder.run right after it, robust to load from other processes. E1 (the 1000x600 photo) is the page\'s first encoder run; the floor\'s ORT init and runs reuse the wasm code the element\'s worker compiled (same renderer), so floor numbers are lower bounds. Wall times drift with other processes\' load: see the noise line under Checks and the CPU table.');
  lines.push('');
  lines.push('## Floor (bare onnxruntime-web worker, same build and session options)');
  lines.push('');
  lines.push('| threads (renderer) | ORT init | encoder create | decoder create | encoder.run (first) | decoder.run | model fetch | SHA-256 of both files | renderer RSS added by set-up |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const [t, s] of Object.entries(results.summary)) {
    const f = s.floor;
    if (!f) continue;
    lines.push(`| ${t}, fresh renderer | ${fmtMs(f.initMs)} | ${fmtMs(f.encoderCreateMs)} | ${fmtMs(f.decoderCreateMs)} | ${fmtMs(f.encoderRunMs)} (${fmtMs(f.encoderFirstRunMs)}) | ${fmtMs(f.decoderRunMs)} | ${fmtMs(f.fetchMs)} | ${fmtMs(f.sha256Ms)} | ${fmtMiB(f.sessionsRssBytes)} |`);
    const a = results.runs[t].floor.afterElement;
    if (a) lines.push(`| ${t}, after the element (same renderer) | ${fmtMs(a.initMs)} | ${fmtMs(a.create.encoderMs)} | ${fmtMs(a.create.decoderMs)} | ↑ | ↑ | ${fmtMs(a.fetch.encoderMs + a.fetch.decoderMs)} | ${fmtMs(a.sha256.encoderMs + a.sha256.decoderMs)} | |`);
  }
  lines.push('');
  lines.push('## Where image set → ready goes (copy of the worker\'s pre-processing, timed in the floor worker)');
  lines.push('');
  lines.push('| threads | image | fetch | decode (createImageBitmap) | resize 1024² | readback | normalise | pre-processing total | + encoder.run | element | residual (± run-to-run spread) | decode+resize via createImageBitmap(resize*) |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [t, s] of Object.entries(results.summary)) {
    const f = s.floor;
    if (!f) continue;
    for (const [name, p] of Object.entries(f.preprocess)) {
      const el = s.element?.images?.[name];
      const explained = p.elementPathMs + f.encoderRunMs;
      lines.push(`| ${t} | ${name} | ${fmtMs(p.fetchMs)} | ${fmtMs(p.decodeMs)} | ${fmtMs(p.resizeMs)} | ${fmtMs(p.readbackMs)} | ${fmtMs(p.normaliseMs)} | ${fmtMs(p.elementPathMs)} | ${fmtMs(explained)} | ${fmtMs(el)} | ${el == null ? '–' : fmtMs(el - explained)} | ${fmtMs(p.decodeResizedMs)} |`);
    }
  }
  lines.push('');
  for (const [t, s] of Object.entries(results.summary)) {
    const c = s.floor?.contention;
    if (c) lines.push(`Contention check, ${t} thread(s): a floor encoder.run while the page decodes and paints the ${c.image} photo in an \`<img>\` (${fmtMs(c.displayMs)}): ${fmtMs(c.encoderRunMs)} vs ${fmtMs(s.floor.encoderRunMs)} undisturbed (${fmtRatio(ratio(c.encoderRunMs, s.floor.encoderRunMs))}).`);
  }
  lines.push('');
  lines.push('## Where click → painted goes');
  lines.push('');
  lines.push('| threads | image | decoder.run (floor) | upsample to full size | bbox + area | upsample with bbox + area fused (what the worker runs) | overlay paint (main thread) | floor sum (decoder.run + fused + paint) | element pointerdown → `mask-change` | `mask-change` → next frame | element total | element ÷ floor sum | element paints per click (ms) |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [t, s] of Object.entries(results.summary)) {
    const f = s.floor;
    const e = s.element;
    if (!f || !e) continue;
    for (const [name, painted] of Object.entries(e.clicksPainted)) {
      const p = f.postprocess[name];
      const toFrame = median(results.runs[t].element.clicks[name].map((c) => c.maskChangeToPaintedMs));
      const paint = f.paintMs?.[name];
      const sum = p ? f.decoderRunMs + (p.fusedMs ?? p.totalMs) + (paint ?? 0) : null;
      lines.push(`| ${t} | ${name} | ${fmtMs(f.decoderRunMs)} | ${fmtMs(p?.upsampleMs)} | ${fmtMs(p?.statsMs)} | ${fmtMs(p?.fusedMs)} | ${fmtMs(paint)} | ${fmtMs(sum)} | ${fmtMs(e.clicksMaskChange[name])} | ${fmtMs(toFrame)} | ${fmtMs(painted)} | ${fmtRatio(ratio(painted, sum))} | ${e.paintsPerClick[name] ?? '–'} (${fmtMs(e.paintMsPerClick[name])}) |`);
    }
  }
  lines.push('');
  lines.push('## CPU seconds by thread, per operation (from /proc: less sensitive to noise than wall time)');
  lines.push('');
  lines.push('| threads | operation | wall (median) | CPU, all threads | largest thread groups (process/thread: s) |');
  lines.push('|---|---|---|---|---|');
  const scale = (cpu, n) => Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / n]));
  const mean = (list) => {
    const out = {};
    for (const cpu of list) for (const [k, v] of Object.entries(cpu)) out[k] = (out[k] ?? 0) + v / list.length;
    return out;
  };
  const cpuRow = (t, what, wall, cpu) => {
    if (!cpu) return;
    const total = Object.values(cpu).reduce((a, b) => a + b, 0);
    const top = Object.entries(cpu).sort((a, b) => b[1] - a[1]).filter(([, v]) => v >= 0.01).slice(0, 6).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
    lines.push(`| ${t} | ${what} | ${fmtMs(wall)} | ${total.toFixed(2)} s | ${top} |`);
  };
  for (const [t, s] of Object.entries(results.summary)) {
    const fr = results.runs[t].floor;
    const er = results.runs[t].element;
    if (fr?.encoderCpu?.length) cpuRow(t, 'floor: encoder.run (per run)', s.floor.encoderRunMs, mean(fr.encoderCpu));
    if (er?.images) for (const [name, samples] of Object.entries(er.images)) cpuRow(t, `element: image set → ready, ${name}`, s.element.images[name], mean(samples.map((x) => x.cpu ?? {})));
    if (fr?.decoderCpu) cpuRow(t, 'floor: decoder.run (per run)', s.floor.decoderRunMs, scale(fr.decoderCpu.cpu, fr.decoderCpu.runs));
    if (er?.clickCpu) for (const [name, c] of Object.entries(er.clickCpu)) cpuRow(t, `element: click → painted, ${name} (per click)`, s.element.clicksPainted[name], scale(c.cpu, c.clicks));
  }
  lines.push('');
  lines.push('## Checks');
  lines.push('');
  for (const [t, s] of Object.entries(results.summary)) {
    const e = s.element;
    if (e) {
      lines.push(`- ${t} thread(s): crossOriginIsolated ${e.crossOriginIsolated}, \`model-load.detail.threads\` = ${e.threadsReported} ${e.threadsReported === Number(t) ? '(matches)' : '(MISMATCH)'}; cold load phases (ms after \`model\`): ${Object.entries(e.coldPhases ?? {}).map(([k, v]) => `${k} ${v == null ? '–' : v.toFixed(0)}`).join(', ')}; model bytes served: cold ${e.coldModelBytes}, warm ${e.warmModelBytes.join(', ')}; revisiting an encoded image: ${fmtMs(e.revisitMs)}${e.diskRevisit ? ` (from OPFS after a reload: ${fmtMs(e.diskRevisit.revisitMs)}, disk hits ${e.diskRevisit.diskHits}, encoder runs ${e.diskRevisit.imagesEncoded}; the first encode took ${fmtMs(e.diskRevisit.firstMs)})` : ''}; image requests per encode ${JSON.stringify(e.imageRequestsPerEncode)}; worker stats ${JSON.stringify(e.workerStats)}; UA memory at end ${fmtMiB(e.uaMemoryBytes)}, peak renderer RSS ${fmtMiB(e.peakRendererRssBytes)}${results.runs[t].element.memory?.includesFloor ? ' (this page also held the floor\'s sessions)' : ''}.`);
    }
    if (s.multi?.three) {
      const m = s.multi.three;
      const scopes = results.runs[t].multi3.memory.page?.ua?.byScope;
      lines.push(`- ${t} thread(s), 3 elements: model file requests ${JSON.stringify(m.requests)} (1 element: ${JSON.stringify(s.multi.one?.requests)}), sessionsCreated ${m.sessionsCreated}, model-load sources ${m.loadSources?.join('/')}, threads ${m.threads?.join('/')}` +
        (scopes ? `; UA memory by scope: ${Object.entries(scopes).map(([k, v]) => `${k} ${fmtMiB(v)}`).join(', ')}` : '') + '.');
    }
  }
  const w = results.webgpu;
  if (w) {
    if (w.error) lines.push(`- WebGPU smoke (SwiftShader, fixture model): harness error: ${w.error}`);
    else {
      const g = w.webgpu;
      lines.push(`- WebGPU smoke (SwiftShader, colour fixture): adapter ${w.adapter ? `${w.adapter.vendor || '?'}/${w.adapter.architecture || '?'} fallback=${w.adapter.isFallbackAdapter}` : 'none'}; ` +
        (g.loaded ? `loaded (backend ${g.modelLoad.backend}) in ${fmtMs(g.loadMs)}, mask area ${g.mask.area}, IoU vs WASM ${w.iouWebgpuVsWasm?.toFixed(4) ?? '–'}` : `did NOT load: ${g.code} (${g.message})`) + '.');
    }
  }
  const share = (a) => (a.cpu ? `${(a.cpu.foreignShare * 100).toFixed(0)}%` : '?');
  lines.push(`- Machine noise: CPU share used by processes outside this run, per scenario (and the JS calibration loop, best of 7, lower is faster): ${results.activity.map((a) => `${a.scenario} ${share(a)} (${a.calibrationMs} ms)`).join('; ')}. ` +
    `Other node/chromium processes seen at scenario start: ${results.activity.filter((a) => a.otherProcesses.length).map((a) => `${a.scenario} (${a.otherProcesses.slice(0, 2).join(' | ')})`).join('; ') || 'none'}.`);
  return `${lines.join('\n')}\n`;
}

// --- main ----------------------------------------------------------------------------------------
var results = {
  environment: {},
  config,
  runs: {},
  webgpu: null,
  activity: [],
  errors: [],
};
let exitCode = 0;

async function scenario(name, fn, budgetMs) {
  const activity = { scenario: name, ...machineActivity(), calibrationMs: calibrate().ms };
  results.activity.push(activity);
  log(`${name} …`);
  const t = Date.now();
  const cpu = new CpuAccount();
  cpu.sample();
  const cpuTimer = setInterval(() => cpu.sample(), 500);
  try {
    const value = await withTimeout(fn(), budgetMs, name);
    cpu.sample();
    activity.cpu = cpu.report();
    const noise = activity.cpu.foreignShare > 0.05 ? `; NOISE: other processes used ${(activity.cpu.foreignShare * 100).toFixed(0)}% of the CPUs` : '';
    log(`${name} done in ${((Date.now() - t) / 1000).toFixed(0)} s${noise}`);
    return value;
  } catch (error) {
    exitCode = 1;
    log(`${name} FAILED: ${error.message}`);
    results.errors.push({ scenario: name, error: String(error.stack ?? error) });
    // A timed-out scenario may leave its browser running: close everything it opened.
    await Promise.allSettled([...browsers].map(closeBrowser));
    return { error: String(error.message ?? error) };
  } finally {
    clearInterval(cpuTimer);
    activity.cpu ??= cpu.report();
  }
}

try {
  await mkdir(TMP, { recursive: true });
  await ensureModels();
  await snapshotDist();
  const { ortEntry } = await bundleFloor();
  const needsFixtures = only.includes('webgpu') && (await ensureFixtures());
  const plain = await startServer(false);
  const isolated = await startServer(true);
  await ensureImages(plain.origin);

  const version = execFileSync(CHROME, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const ortPackage = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8'));
  results.environment = {
    date: new Date().toISOString(),
    chromium: version,
    chromiumPath: CHROME,
    chromiumArgs: CHROMIUM_ARGS,
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memTotalBytes: os.totalmem(),
    node: process.version,
    platform: `${process.platform} ${os.release()}`,
    ortVersion: ortPackage.version,
    floorOrtEntry: ortEntry,
    model: MODEL_NAME,
    images: Object.fromEntries(['1000x600', '4000x3000', '8000x6000'].map((n) => [n, existsSync(join(IMAGE_DIR, `${n}.jpg`)) ? readFileSync(join(IMAGE_DIR, `${n}.jpg`)).byteLength : null])),
  };
  log(`${version}, ${os.cpus().length} cores; threads ${config.threads.join(',')}; scenarios ${only.join(',')}${quick ? ' (quick)' : ''}`);

  for (const threads of config.threads) {
    const srv = threads > 1 ? isolated : plain;
    const run = (results.runs[threads] = {});
    const minutes = (m) => m * 60_000;
    const withFloor = only.includes('floor');
    const withElement = only.includes('element') || only.includes('warm');
    if (withFloor || withElement) {
      const label = [withFloor && 'floor', withElement && 'element'].filter(Boolean).join(' + ');
      const fresh = withFloor ? await scenario(`floor start-up in a fresh renderer, ${threads} thread(s)`, () => floorFreshScenario(threads, srv), minutes(4)) : null;
      const paired = await scenario(`${label}, ${threads} thread(s)`, () => pairedScenario(threads, srv, { floor: withFloor, element: withElement, images: only.includes('element') }), minutes(12));
      if (paired.error) {
        if (withFloor) run.floor = { error: paired.error };
        if (withElement) run.element = { error: paired.error };
      } else {
        // Start-up numbers and pre-processing copies from the fresh renderer; runs from the paired page.
        if (withFloor) run.floor = fresh && !fresh.error ? { ...paired.floor, ...fresh, memory: fresh.memory, pairedMemory: paired.floor.memory } : { ...paired.floor, ...paired.floor.afterElement, preprocess: {} };
        if (withElement) run.element = paired.element;
      }
    }
    // Sharing and memory barely depend on the thread count: measured at the largest one only.
    if (only.includes('multi') && threads === Math.max(...config.threads)) {
      run.multi1 = await scenario(`1 element, ${threads} thread(s)`, () => multiScenario(threads, srv, 1), minutes(4));
      run.multi3 = await scenario(`3 elements, ${threads} thread(s)`, () => multiScenario(threads, srv, 3), minutes(8));
    }
  }
  if (only.includes('webgpu')) {
    results.webgpu = needsFixtures
      ? await scenario('webgpu smoke', () => webgpuScenario(isolated), 6 * 60_000)
      : { error: 'test fixtures missing and `npm run fixtures` failed' };
  }
  if (deferred.length) {
    log('waiting for the background memory snapshot …');
    await withTimeout(Promise.allSettled(deferred), 120_000, 'background memory snapshot').catch((error) => log(error.message));
  }
} catch (error) {
  exitCode = 1;
  console.error(`bench: ${error.stack ?? error}`);
  results.errors.push({ scenario: 'setup', error: String(error.stack ?? error) });
} finally {
  await shutdown();
}

async function finish() {
  results.wallTimeMs = Date.now() - started;
  results.summary = summarise(results);
  await mkdir(RESULTS, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  await writeFile(join(RESULTS, 'latest.json'), json);
  const md = markdown(results);
  await writeFile(join(RESULTS, 'latest.md'), md);
  // Every run is also kept (git-ignored) so an overwritten latest.json is never the only copy.
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  await mkdir(join(TMP, 'history'), { recursive: true });
  await writeFile(join(TMP, 'history', `${stamp}.json`), json);
  await writeFile(join(TMP, 'history', `${stamp}.md`), md);
  console.log(`\n${md}`);
  console.log(`bench: wrote bench/results/latest.json and bench/results/latest.md in ${(results.wallTimeMs / 1000).toFixed(0)} s${results.errors.length ? ` (${results.errors.length} error(s))` : ''}`);
}
await finish();
clearTimeout(watchdog);
process.exit(exitCode);

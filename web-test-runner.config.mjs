// Tests run in real browsers against the built bundles in dist/, the real worker, real
// onnxruntime-web and real OPFS: headless Chromium (Debian's, found on the PATH or via
// CHROME_PATH) by default; `SAM2_ENGINE=firefox` runs the suite in Firefox ESR (puppeteer-core
// over WebDriver BiDi), `SAM2_ENGINE=webkit` the smoke set in WebKitGTK (test/launchers/webkit.mjs).
// Every engine uses the browser installed on the machine: nothing is downloaded.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import * as puppeteer from 'puppeteer-core';
import { webkitLauncher } from './test/launchers/webkit.mjs';

function findChromium() {
  if (process.env.CHROME_PATH) return process.env.CHROME_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      /* try the next name */
    }
  }
  throw new Error('No Chromium found: install it (apt-get install chromium) or set CHROME_PATH');
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const MIME = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' };

/**
 * Cross-origin isolation (so ORT gets threads) plus CORS/CORP on everything, so a page on
 * http://localhost:PORT can load the bundle from http://127.0.0.1:PORT (the CDN case).
 */
function isolationHeaders(ctx, next) {
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
  ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
  ctx.set('Access-Control-Allow-Origin', '*');
  return next();
}

/**
 * The workers, onnxruntime's files and cdn/ are served byte for byte: the dev server's import
 * rewriting would break onnxruntime's Emscripten glue (it contains `await import("module")` for
 * Node). dist/'s element entries go through the dev server, which resolves their `lit` imports as
 * a bundler would.
 */
const RAW = /^\/(dist\/(sam2\.worker[^/]*|ort-[^/]*)|cdn\/.*)$/;
async function rawDist(ctx, next) {
  if (!RAW.test(ctx.path)) return next();
  try {
    ctx.body = await readFile(join(process.cwd(), ctx.path));
    ctx.type = MIME[extname(ctx.path)] ?? 'application/octet-stream';
  } catch {
    ctx.status = 404;
  }
}

/**
 * Counts requests per path so tests can prove "no model bytes over the network" and "one
 * download for two elements". GET /__requests returns the counts; DELETE resets them.
 * Paths under /__fail/ answer with the status code that follows (e.g. /__fail/404/x.onnx).
 */
const requestCounts = new Map();
async function requestLog(ctx, next) {
  if (ctx.path === '/__requests') {
    if (ctx.method === 'DELETE') {
      requestCounts.clear();
      resetFaultyServer();
      mutableFiles.clear();
    }
    ctx.body = Object.fromEntries(requestCounts);
    return;
  }
  requestCounts.set(ctx.path, (requestCounts.get(ctx.path) ?? 0) + 1);
  const fail = /^\/__fail\/(\d{3})\//.exec(ctx.path);
  if (fail) {
    ctx.status = Number(fail[1]);
    ctx.body = 'failing on purpose';
    return;
  }
  return next();
}

/**
 * `/__serve/<options>/<path>` serves a repository file the way real, awkward servers do, for the
 * model-delivery tests. `<options>` is a comma-separated list, `-` for none:
 *   norange    ignore Range: always 200 with the whole file
 *   nolength   no Content-Length (chunked transfer)
 *   gzip       gzip whole-file (200) responses; Content-Length is then the compressed size
 *   status=N   answer HTTP N
 *   cut=N      drop the connection once the body reached byte N of the file (of the wire for gzip)
 *   flip=N     invert byte N of the file
 *   stall=N    stop sending at byte N and hang until the client gives up
 *   rate=N     send at most N bytes per second (per response)
 *   delay=MS   wait before answering
 *   once       each fault (status, cut, flip, stall) hits only the first response it applies to
 *              (until DELETE /__requests)
 * GET /__served lists every such response per path: {range, status, bytes}; DELETE /__requests
 * resets it along with the counts.
 */
const firedFaults = new Set();
const servedLog = new Map();
function resetFaultyServer() {
  firedFaults.clear();
  servedLog.clear();
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function faultyServer(ctx, next) {
  if (ctx.path === '/__served') {
    ctx.body = Object.fromEntries(servedLog);
    return;
  }
  const match = /^\/__serve\/([^/]+)(\/.+)$/.exec(ctx.path);
  if (!match) return next();
  const options = {};
  for (const option of match[1] === '-' ? [] : match[1].split(',')) {
    const [name, value] = option.split('=');
    options[name] = value === undefined ? true : Number(value);
  }
  const root = process.cwd();
  const path = normalize(join(root, decodeURIComponent(match[2])));
  if (!path.startsWith(root + sep)) return next();
  let file;
  try {
    file = await readFile(path);
  } catch {
    ctx.status = 404;
    return;
  }
  const log = (entry) => servedLog.set(ctx.path, [...(servedLog.get(ctx.path) ?? []), entry]);
  const fault = (name) => {
    if (options[name] === undefined) return false;
    const id = `${ctx.path}#${name}`;
    if (options.once && firedFaults.has(id)) return false;
    firedFaults.add(id);
    return true;
  };
  if (options.delay) await sleep(options.delay);
  const range = /^bytes=(\d+)-(\d*)$/.exec(ctx.get('Range'));
  if (options.status && fault('status')) {
    log({ range: range?.[0] ?? null, status: options.status, bytes: 0 });
    ctx.status = options.status;
    ctx.body = 'failing on purpose';
    return;
  }
  let [start, end, status] = [0, file.length, 200];
  if (range && !options.norange) {
    start = Number(range[1]);
    end = range[2] ? Math.min(Number(range[2]) + 1, file.length) : file.length;
    status = 206;
    if (start >= file.length) {
      log({ range: range[0], status: 416, bytes: 0 });
      ctx.status = 416;
      ctx.set('Content-Range', `bytes */${file.length}`);
      return;
    }
  }
  const slice = Buffer.from(file.subarray(start, end));
  if (options.flip >= start && options.flip < end && fault('flip')) slice[options.flip - start] ^= 0xff;
  const gzip = options.gzip && status === 200;
  const wire = gzip ? gzipSync(slice) : slice;
  const stopAt = (name) => {
    const at = gzip ? options[name] : options[name] - start;
    return at >= 0 && at < wire.length && fault(name) ? at : null;
  };
  const cutAt = options.cut !== undefined ? stopAt('cut') : null;
  const stallAt = cutAt === null && options.stall !== undefined ? stopAt('stall') : null;

  // Written by hand: Koa would buffer the body and set headers we want to leave out.
  ctx.respond = false;
  const res = ctx.res;
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('ETag', `"${createHash('sha1').update(file).digest('hex')}"`);
  res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag');
  if (!options.norange) res.setHeader('Accept-Ranges', 'bytes');
  if (status === 206) res.setHeader('Content-Range', `bytes ${start}-${end - 1}/${file.length}`);
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  if (!options.nolength) res.setHeader('Content-Length', wire.length);
  const limit = cutAt ?? stallAt ?? wire.length;
  log({ range: range?.[0] ?? null, status, bytes: limit, fault: cutAt !== null ? 'cut' : stallAt !== null ? 'stall' : undefined });
  let closed = false;
  res.on('close', () => (closed = true));
  const step = options.rate ? Math.max(1, Math.round(options.rate / 20)) : limit;
  for (let sent = 0; sent < limit && !closed; sent += step) {
    res.write(wire.subarray(sent, Math.min(limit, sent + step)));
    if (options.rate) await sleep(50);
  }
  if (closed) return;
  if (cutAt !== null) {
    // Let the bytes go out, then drop the connection mid-body.
    await new Promise((resolve) => res.write('', resolve));
    res.socket?.destroy();
  } else if (stallAt === null) {
    res.end();
  }
  // A stall keeps the connection open until the client aborts it.
}

/**
 * `/__mutable/<name>`: a file whose content a test replaces (PUT with the bytes and a
 * Content-Type), served with `no-store`, like a photo that changed on the server behind the
 * same URL. DELETE /__requests forgets them all.
 */
const mutableFiles = new Map();
async function mutableFile(ctx, next) {
  const match = /^\/__mutable\/([A-Za-z0-9._-]+)$/.exec(ctx.path);
  if (!match) return next();
  if (ctx.method === 'PUT') {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    mutableFiles.set(match[1], { type: ctx.get('Content-Type') || 'application/octet-stream', body: Buffer.concat(chunks) });
    ctx.status = 204;
    return;
  }
  const file = mutableFiles.get(match[1]);
  if (!file) {
    ctx.status = 404;
    return;
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.type = file.type;
  ctx.body = file.body;
}

/**
 * A stand-in for Hugging Face's file server: `/__hf/onnx-community/<repo>/resolve/<revision>/<path>`
 * answers like huggingface.co does, with a 302 to its CDN on another origin (here the other
 * loopback name), which serves test/fixtures/generated/hf/onnx-community/<repo>/<path> with
 * Range and CORS through `/__serve/` (options after `__hf/<options>/` are passed on, e.g.
 * `/__hf/cut=100/...`). Every revision serves the same files; the request log shows which was asked.
 */
async function fakeHuggingFace(ctx, next) {
  const match = /^\/__hf\/(?:([^/]+)\/)?onnx-community\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(ctx.path);
  if (!match) return next();
  const [, options = '-', repo, , path] = match;
  const [host, port] = ctx.host.split(':');
  const cdn = host === '127.0.0.1' ? 'localhost' : '127.0.0.1';
  ctx.status = 302;
  ctx.redirect(`http://${cdn}:${port}/__serve/${options}/test/fixtures/generated/hf/onnx-community/${repo}/${path}`);
}

/**
 * Hosting cases (test/hosting/):
 *   /__mirror/<tag>/<file>   dist/<file>, as a self-hosted copy of dist/ at another path
 *   /__html/<path>           an HTML page, whatever the path (an SPA's fallback for a missing file)
 *   /__throws/<path>         JavaScript that throws as soon as it runs
 *   /__csp/<policy>/<path>   a repository file (HTML, or a dist/ file) sent with a
 *                            Content-Security-Policy header, byte for byte; <policy> is one of CSP
 */
const otherOrigin = (ctx) => {
  const [host, port] = ctx.host.split(':');
  return `${ctx.protocol}://${host === '127.0.0.1' ? 'localhost' : '127.0.0.1'}:${port}`;
};
export const CSP = {
  strict: () => "script-src 'self' 'wasm-unsafe-eval'",
  locked: () => "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' blob: data:",
  nowasm: () => "script-src 'self'",
  tt: () => "script-src 'self' 'wasm-unsafe-eval'; require-trusted-types-for 'script'",
  // The element from a CDN (the other loopback origin): its worker runs from a blob: bootstrap
  // that imports the CDN's worker (a module worker's imports count as worker-src), and
  // onnxruntime imports its thread glue from a blob: too.
  cdn: (ctx) => `script-src 'self' ${otherOrigin(ctx)} blob: 'wasm-unsafe-eval'; worker-src 'self' ${otherOrigin(ctx)} blob:; require-trusted-types-for 'script'`,
};
async function hostingCases(ctx, next) {
  const mirror = /^\/__mirror\/[^/]+\/([^/]+)$/.exec(ctx.path);
  const csp = /^\/__csp\/([a-z]+)(\/.+)$/.exec(ctx.path);
  if (mirror || (csp && CSP[csp[1]])) {
    const file = mirror ? `/dist/${mirror[1]}` : csp[2];
    const path = normalize(join(process.cwd(), file));
    if (!path.startsWith(process.cwd() + sep)) return next();
    try {
      ctx.body = await readFile(path);
      ctx.type = MIME[extname(path)] ?? (extname(path) === '.html' ? 'text/html' : 'application/octet-stream');
      if (csp) ctx.set('Content-Security-Policy', CSP[csp[1]](ctx));
    } catch {
      ctx.status = 404;
    }
    return;
  }
  if (ctx.path.startsWith('/__html/')) {
    ctx.type = 'text/html';
    ctx.body = '<!doctype html><title>An app</title><div id="app"></div>';
    return;
  }
  if (ctx.path.startsWith('/__throws/')) {
    ctx.type = 'text/javascript';
    ctx.body = "throw new Error('sam2-segmenter test: this script throws');";
    return;
  }
  return next();
}

/**
 * Prints one "browser-tests: N passed, N failed" line for the whole run (all groups), which
 * .ci/run adds up; a test file that failed to load counts as a failure.
 */
function totalsReporter() {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      const walk = (suite) => {
        for (const test of suite.tests) {
          if (test.skipped) skipped++;
          else if (test.passed) passed++;
          else failed++;
        }
        for (const child of suite.suites) walk(child);
      };
      for (const session of sessions) {
        if (session.testResults) walk(session.testResults);
        if (!session.passed && (session.errors?.length || !session.testResults)) failed++;
      }
      // Printed at exit: the runner's live terminal output would overwrite it before then.
      process.once('exit', () => process.stdout.write(`\nbrowser-tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`));
    },
  };
}

const launcher = (extraArgs = []) =>
  chromeLauncher({
    launchOptions: { executablePath: findChromium(), headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] },
  });

function findFirefox() {
  if (process.env.FIREFOX_PATH) return process.env.FIREFOX_PATH;
  for (const name of ['firefox-esr', 'firefox']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      /* try the next name */
    }
  }
  throw new Error('No Firefox found: install it (apt-get install firefox-esr) or set FIREFOX_PATH');
}

/**
 * Test files that need one engine, with the reason, printed at the start of every other
 * engine's run (individual tests use test/engines.ts's `onlyIn`, counted as skipped).
 */
const ENGINE_ONLY = [
  { files: 'test/webgpu/**', engines: ['chromium'], reason: 'WebGPU: only Chromium gives a (software, SwiftShader) adapter headless; Firefox ESR and WebKitGTK have none' },
];
/** WebKitGTK runs the smoke set only: segment, export, reload from the fallback cache. */
const WEBKIT_FILES = ['test/engines/**/*.test.ts'];

const engine = process.env.SAM2_ENGINE ?? 'chromium';
if (!['chromium', 'firefox', 'webkit'].includes(engine)) throw new Error(`SAM2_ENGINE must be chromium, firefox or webkit, not ${engine}`);
if (engine !== 'chromium') {
  const skipped = engine === 'webkit' ? [{ files: 'everything but ' + WEBKIT_FILES.join(', '), reason: 'WebKitGTK runs the smoke set' }] : ENGINE_ONLY;
  for (const { files, reason } of skipped) console.log(`[${engine}] not run: ${files} (${reason})`);
}

const browsers = {
  chromium: () => [launcher()],
  firefox: () => [chromeLauncher({ puppeteer, launchOptions: { browser: 'firefox', executablePath: findFirefox(), headless: true } })],
  webkit: () => [webkitLauncher()],
}[engine]();

export default {
  // test/webgpu runs in its own group (Chromium with a WebGPU adapter), below.
  files: engine === 'webkit' ? WEBKIT_FILES : ['test/**/*.test.ts', '!**/node_modules/**', '!test/consumers/**', ...ENGINE_ONLY.map((rule) => `!${rule.files}`)],
  nodeResolve: true,
  concurrency: 1,
  concurrentBrowsers: 1,
  // Firefox runs one file per browser (.ci/run) and a failed file once more in a fresh one; a
  // Firefox whose worker never finishes its first encode fails every test of the file by its own
  // timeout (8 tests x 2 tries = 16 min seen in CI), so a file gets 8 min (files take 5-20 s
  // there) and the fresh browser of the rerun gets the rest.
  testsFinishTimeout: (engine === 'firefox' ? 8 : 20) * 60 * 1000,
  browserStartTimeout: 120 * 1000,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  middleware: [isolationHeaders, requestLog, mutableFile, fakeHuggingFace, faultyServer, hostingCases, rawDist],
  // Firefox: one retry per test. On this shared 2-core machine (load ~20) a model load in a
  // fresh Firefox tab sometimes stalls past the timeout (a different test each run, never twice
  // in a row; not reproduced alone). A second failure fails the run.
  testFramework: { config: { timeout: 120000, ...(engine === 'firefox' ? { retries: 1 } : {}) } },
  browsers,
  reporters: [defaultReporter(), totalsReporter()],
  groups:
    engine === 'chromium'
      ? [
          // A software WebGPU adapter (SwiftShader) for the WebGPU smoke test only.
          { name: 'webgpu', files: 'test/webgpu/**/*.test.ts', browsers: [launcher(['--enable-unsafe-webgpu'])] },
        ]
      : [],
};

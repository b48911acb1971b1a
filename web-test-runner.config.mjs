// Tests run in real headless Chromium (Debian's, found on the PATH or via CHROME_PATH) against the
// built bundles in dist/, the real worker, real onnxruntime-web and real OPFS.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';

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
 * dist/ is served byte for byte: the dev server's import rewriting would break onnxruntime's
 * Emscripten glue (it contains `await import("module")` for Node).
 */
async function rawDist(ctx, next) {
  if (!ctx.path.startsWith('/dist/')) return next();
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
    if (ctx.method === 'DELETE') requestCounts.clear();
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

export default {
  files: ['test/**/*.test.ts', '!test/webgpu/**'],
  nodeResolve: true,
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 20 * 60 * 1000,
  browserStartTimeout: 120 * 1000,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  middleware: [isolationHeaders, requestLog, rawDist],
  testFramework: { config: { timeout: 120000 } },
  browsers: [launcher()],
  reporters: [defaultReporter(), totalsReporter()],
  groups: [
    // A software WebGPU adapter (SwiftShader) for the WebGPU smoke test only.
    { name: 'webgpu', files: 'test/webgpu/**/*.test.ts', browsers: [launcher(['--enable-unsafe-webgpu'])] },
  ],
};

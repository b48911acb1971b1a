#!/usr/bin/env node
/**
 * Consumer tests: the package as published (`npm pack` of a clean tree, so `prepack` builds it),
 * installed into minimal apps the way their users would, built with each app's own tool, served,
 * and driven in headless Chromium through the public API (lib/browser-check.mjs).
 *
 *   node test/consumers/run.mjs                  every app
 *   node test/consumers/run.mjs vite-vanilla ... only these apps
 *   CONSUMERS_DIR=/tmp/x node test/consumers/run.mjs   where apps are installed (default: $TMPDIR/sam2-consumers)
 *
 * Apps are copied outside the repository, so nothing resolves from the repository's node_modules.
 * Each app's own dependencies (vite, react, next, ...) stay installed between runs while its
 * package.json is unchanged (npm's cache and integrity checks make that safe); the package under
 * test is installed fresh from the new tarball every time. The models and the image are the colour
 * fixture model (test/fixtures/generated/) and a generated scene, served by each app as its own
 * static files. Prints one "consumer-tests: N passed, N failed" line at the end.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPage, launchBrowser } from './lib/browser-check.mjs';
import { downloadSizes, packCleanTree } from './lib/pack.mjs';
import { freePort, run, startServer } from './lib/processes.mjs';
import { scenePng } from './lib/scene.mjs';
import { createStaticServer } from '../../scripts/static-server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const APPS_DIR = join(HERE, 'apps');
const FIXTURES = join(REPO, 'test/fixtures/generated');
const WORK = resolve(process.env.CONSUMERS_DIR ?? join(tmpdir(), 'sam2-consumers'));

/**
 * Each app: the folder it serves static files from (the fixtures are copied there), and its
 * cases. A case is a page check (`start` a server, or `static` = serve a built folder with the
 * repo's static server), or a `node` script that must exit 0.
 */
const APPS = {
  // The "done when": <sam2-segmenter> in index.html, only `import 'sam2-segmenter'` in
  // main.ts, no configuration, dev server and build + preview.
  'vite-vanilla': {
    publicDir: 'public',
    cases: [
      { name: 'vite dev', fresh: ['node_modules/.vite'], start: (port) => ['npx', ['vite', '--port', port, '--strictPort']] },
      { name: 'vite build + preview', build: ['npm', ['run', 'build']], fresh: ['dist'], start: (port) => ['npx', ['vite', 'preview', '--port', port, '--strictPort']] },
    ],
  },
  // Vite 7's dev server pre-bundles dependencies without rewriting their asset URLs
  // (vitejs/vite#8427); the element finds its files anyway (src/client/assets.ts).
  'vite7-vanilla': {
    source: 'vite-vanilla',
    devDependencies: { vite: '^7.3.0' },
    publicDir: 'public',
    cases: [
      { name: 'vite 7 dev', fresh: ['node_modules/.vite'], start: (port) => ['npx', ['vite', '--port', port, '--strictPort']] },
      { name: 'vite 7 build + preview', build: ['npx', ['vite', 'build']], fresh: ['dist'], start: (port) => ['npx', ['vite', 'preview', '--port', port, '--strictPort']] },
    ],
  },
  'vite-react': {
    publicDir: 'public',
    cases: [
      { name: 'React 19 wrapper, vite dev', fresh: ['node_modules/.vite'], start: (port) => ['npx', ['vite', '--port', port, '--strictPort']] },
      { name: 'React 19 wrapper, build + preview', build: ['npm', ['run', 'build']], fresh: ['dist'], start: (port) => ['npx', ['vite', 'preview', '--port', port, '--strictPort']] },
      { name: 'React 19 <sam2-segmenter> direct, build + preview', path: '/?direct', start: (port) => ['npx', ['vite', 'preview', '--port', port, '--strictPort']] },
    ],
  },
  // webpack 5 follows `new URL('./file', import.meta.url)` as asset modules (copied, hashed).
  webpack: {
    publicDir: 'public',
    // Served cross-origin isolated (COOP/COEP): onnxruntime's thread workers start from the copied worker.
    cases: [{ name: 'webpack 5 production build', build: ['npm', ['run', 'build']], fresh: ['dist'], static: 'dist', isolate: true }],
  },
  'vite-vue': {
    publicDir: 'public',
    cases: [{ name: 'Vue 3.5, vue-tsc + vite build + preview', build: ['npm', ['run', 'build']], fresh: ['dist'], start: (port) => ['npx', ['vite', 'preview', '--port', port, '--strictPort']] }],
  },
  'vite-svelte': {
    publicDir: 'public',
    cases: [{ name: 'Svelte 5, svelte-check + vite build + preview', build: ['npm', ['run', 'build']], fresh: ['dist'], start: (port) => ['npx', ['vite', 'preview', '--port', port, '--strictPort']] }],
  },
  angular: {
    publicDir: 'public',
    cases: [
      {
        name: 'Angular 21, ng build (application builder)',
        env: { NG_CLI_ANALYTICS: 'false' },
        build: ['npx', ['ng', 'build']],
        fresh: ['dist', '.angular'],
        static: 'dist/browser',
      },
    ],
  },
  'node-ssr': {
    publicDir: 'public',
    cases: [{ name: 'import in Node (SSR): no throw, nothing defined, React wrapper renders the tag', node: ['node', ['ssr.mjs']] }],
  },
  // The App Router renders the page on the server (the package is imported in Node), then
  // hydrates: the element must upgrade and work. Next 16 builds with Turbopack.
  next: {
    publicDir: 'public',
    cases: [
      {
        name: 'Next.js 16 client component, next build + start (SSR, hydration)',
        env: { NEXT_TELEMETRY_DISABLED: '1' },
        build: ['npx', ['next', 'build']],
        fresh: ['.next'],
        serverHtml: /<sam2-segmenter[\s>]/,
        start: (port) => ['npx', ['next', 'start', '-p', port]],
      },
    ],
  },
};

const results = [];
const record = (app, name, ok, problems = [], facts = {}, ms = 0) => {
  results.push({ app, name, ok, problems, facts, seconds: Math.round(ms / 100) / 10 });
  const mark = ok ? 'ok  ' : 'FAIL';
  const extra = facts.iou !== undefined ? ` IoU ${facts.iou.toFixed(4)}, threads ${facts.modelLoad?.threads ?? '?'}` : '';
  console.log(`${mark} ${app}: ${name} (${(ms / 1000).toFixed(1)} s)${extra}`);
  for (const problem of problems) console.log(`       - ${problem}`);
};

const hashOf = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Copies the app, installs its dependencies (kept while unchanged) and the fresh tarball. */
async function installApp(name, app, tarball) {
  const source = join(APPS_DIR, app.source ?? name);
  const target = join(WORK, 'apps', name);
  const logFile = join(WORK, 'logs', `${name}.log`);
  const stamp = join(target, 'node_modules', '.consumer-stamp');
  const wanted = hashOf(join(source, 'package.json')) + JSON.stringify(app.devDependencies ?? {});
  // (The copy's package.json gains "sam2-segmenter": "file:..." below; the stamp is of the source's.)
  const reuse = existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted;
  if (!reuse) rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  // The app's files, fresh (node_modules kept when reused).
  for (const entry of readdirSync(target)) if (entry !== 'node_modules') rmSync(join(target, entry), { recursive: true, force: true });
  cpSync(source, target, { recursive: true, filter: (path) => !path.includes('/node_modules') });
  if (app.devDependencies) {
    const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
    Object.assign(pkg.devDependencies, app.devDependencies);
    writeFileSync(join(target, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  }
  const fixtures = join(target, app.publicDir, 'fixtures');
  mkdirSync(fixtures, { recursive: true });
  for (const file of ['colour.manifest.json', 'encoder.onnx', 'decoder.onnx']) cpSync(join(FIXTURES, file), join(fixtures, file));
  writeFileSync(join(fixtures, 'scene.png'), scenePng());
  const npm = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
  if (!reuse) await run('npm', npm, { cwd: target, logFile });
  // The package under test, always from the new tarball (never a cached copy). Saved in the app's
  // package.json copy, so any later install in the app (a tool installing a polyfill) keeps it.
  await run('npm', [...npm, tarball], { cwd: target, logFile });
  writeFileSync(stamp, wanted);
  return { target, logFile };
}

async function runCase(name, app, testCase, target, logFile, browser) {
  for (const path of testCase.fresh ?? []) rmSync(join(target, path), { recursive: true, force: true });
  if (testCase.build) await run(testCase.build[0], testCase.build[1], { cwd: target, logFile, env: testCase.env });
  if (testCase.node) {
    await run(testCase.node[0], testCase.node[1], { cwd: target, logFile, env: testCase.env });
    return { ok: true, problems: [], facts: {} };
  }
  const port = await freePort();
  let stop;
  if (testCase.static) {
    // The fixtures from the app's static folder too, for tools that don't copy one.
    const mounts = { '/fixtures/': join(target, app.publicDir, 'fixtures') };
    const server = createStaticServer({ root: join(target, testCase.static), mounts, isolate: testCase.isolate ?? false });
    await new Promise((r) => server.listen(port, '127.0.0.1', r));
    stop = () => new Promise((r) => server.close(r));
  } else {
    const [command, args] = testCase.start(String(port));
    ({ stop } = await startServer(command, args, { cwd: target, logFile, url: `http://localhost:${port}/`, env: testCase.env }));
  }
  try {
    const url = `http://localhost:${port}${testCase.path ?? '/'}`;
    const problems = [];
    if (testCase.serverHtml) {
      // What the server sends, before any script runs.
      const html = await (await fetch(url)).text();
      if (!testCase.serverHtml.test(html)) problems.push(`the server-rendered HTML has no ${testCase.serverHtml}`);
    }
    const result = await checkPage(browser, url);
    return { ...result, ok: result.ok && problems.length === 0, problems: [...problems, ...result.problems] };
  } finally {
    await stop();
  }
}

async function main() {
  const only = process.argv.slice(2);
  for (const name of only) if (!APPS[name]) throw new Error(`unknown app "${name}" (apps: ${Object.keys(APPS).join(', ')})`);
  mkdirSync(join(WORK, 'logs'), { recursive: true });
  if (!existsSync(join(FIXTURES, 'colour.manifest.json'))) await run('npm', ['run', 'fixtures', '--silent'], { cwd: REPO, logFile: join(WORK, 'logs', 'fixtures.log') });

  const started = performance.now();
  const packed = await packCleanTree({ repo: REPO, workDir: WORK, logFile: join(WORK, 'logs', 'pack.log') }).catch((error) => ({ error }));
  if (packed.error) {
    record('package', 'npm pack of a clean tree', false, [packed.error.message], {}, performance.now() - started);
    return finish();
  }
  record('package', 'npm pack of a clean tree (prepack builds)', packed.problems.length === 0, packed.problems, {}, performance.now() - started);
  console.log(`       tarball ${(packed.size / 1e6).toFixed(2)} MB, unpacked ${(packed.unpackedSize / 1e6).toFixed(2)} MB, ${packed.files.length} files`);
  for (const { file, bytes, gzip } of downloadSizes(packed.tree)) console.log(`       ${file}: ${(bytes / 1024).toFixed(0)} KiB, gzip ${(gzip / 1024).toFixed(0)} KiB`);

  const browser = await launchBrowser();
  try {
    for (const [name, app] of Object.entries(APPS)) {
      if (only.length && !only.includes(name)) continue;
      const installStarted = performance.now();
      let installed;
      try {
        installed = await installApp(name, app, packed.tarball);
      } catch (error) {
        record(name, 'install', false, [error.message], {}, performance.now() - installStarted);
        continue;
      }
      console.log(`     ${name}: installed in ${((performance.now() - installStarted) / 1000).toFixed(1)} s`);
      for (const testCase of app.cases) {
        const caseStarted = performance.now();
        try {
          const { ok, problems, facts } = await runCase(name, app, testCase, installed.target, installed.logFile, browser);
          record(name, testCase.name, ok, problems, facts, performance.now() - caseStarted);
        } catch (error) {
          record(name, testCase.name, false, [error.message], {}, performance.now() - caseStarted);
        }
      }
    }
  } finally {
    await browser.close();
  }
  return finish();

  function finish() {
    writeFileSync(join(WORK, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const passed = results.filter((r) => r.ok).length;
    const failed = results.length - passed;
    console.log(`\nconsumer results: ${join(WORK, 'results.json')}, logs: ${join(WORK, 'logs')}`);
    console.log(`consumer-tests: ${passed} passed, ${failed} failed (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    process.exitCode = failed ? 1 : 0;
  }
}

await main();

/**
 * The package as npm would publish it: `npm pack` in a copy of the working tree that holds only
 * what a fresh clone has (tracked and not-ignored files, so no dist/), so `prepack` must build it.
 * Then checks the tarball: the files every entry needs are in it, nothing else is, and the
 * runtime `dependencies` are exactly the packages dist/ imports.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from './processes.mjs';

/** What the tarball must hold (the exports map's targets and the runtime files). */
export const REQUIRED_FILES = [
  'package.json',
  'README.md',
  'custom-elements.json',
  'dist/sam2-segmenter.js',
  'dist/testing.js',
  'dist/react.js',
  'dist/sam2.worker.js',
  'dist/sam2.worker.webgpu.js',
  'dist/ort-wasm-simd-threaded.wasm',
  'dist/ort-wasm-simd-threaded.mjs',
  'dist/ort-wasm-simd-threaded.asyncify.wasm',
  'dist/ort-wasm-simd-threaded.asyncify.mjs',
  'dist/types/index.d.ts',
  'dist/types/testing.d.ts',
  'dist/types/react/index.d.ts',
  'frameworks/jsx.d.ts',
  'frameworks/vue.d.ts',
  'frameworks/svelte.d.ts',
  'cdn/sam2-segmenter.js',
  'cdn/testing.js',
  'bin/sam2-segmenter.mjs',
];
const FORBIDDEN = /^(test|bench|demo|scripts|docs|\.ci)\/|^src\/.*\.ts$|node_modules/;

/**
 * @returns {Promise<{ tarball: string, files: {path: string, size: number}[], size: number, unpackedSize: number, problems: string[] }>}
 */
export async function packCleanTree({ repo, workDir, logFile }) {
  const tree = join(workDir, 'clean-tree');
  rmSync(tree, { recursive: true, force: true });
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' });
  for (const file of listed.split('\0').filter(Boolean)) {
    let stats;
    try {
      stats = statSync(join(repo, file));
    } catch {
      continue; // deleted in the working tree, not yet committed
    }
    if (!stats.isFile()) continue;
    mkdirSync(dirname(join(tree, file)), { recursive: true });
    cpSync(join(repo, file), join(tree, file));
  }
  // The build's tools (rollup, tsc, the manifest analyzer, onnxruntime-web to bundle).
  symlinkSync(join(repo, 'node_modules'), join(tree, 'node_modules'), 'dir');
  const stdout = await run('npm', ['pack', '--pack-destination', workDir, '--json', '--loglevel=error'], { cwd: tree, logFile, timeoutMs: 10 * 60_000 });
  // The JSON report is the last thing npm prints (prepack's build output comes before it).
  const [info] = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[\n') + 1));
  const problems = [];
  const paths = new Set(info.files.map((f) => f.path));
  for (const file of REQUIRED_FILES) if (!paths.has(file)) problems.push(`tarball lacks ${file}`);
  for (const file of paths) if (FORBIDDEN.test(file)) problems.push(`tarball holds ${file}`);
  problems.push(...checkDependencies(tree));
  return { tarball: join(workDir, info.filename), files: info.files, size: info.size, unpackedSize: info.unpackedSize, tree, problems };
}

/** The packages a built file imports (static and literal dynamic imports), by package name. */
function importedPackages(code) {
  const names = new Set();
  const specifiers = [...code.matchAll(/(?:^|[\s;})])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)].map((m) => m[1]);
  specifiers.push(...[...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]));
  for (const specifier of specifiers) {
    if (/^(\.|\/|[a-z]+:)/.test(specifier)) continue;
    // Node built-ins only reached on Node code paths of onnxruntime's Emscripten glue.
    if (['module', 'worker_threads', 'fs', 'path', 'url', 'crypto'].includes(specifier)) continue;
    names.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
  }
  return names;
}

/** Runtime `dependencies` + peers must be exactly what dist/'s JavaScript imports. */
function checkDependencies(tree) {
  const pkg = JSON.parse(readFileSync(join(tree, 'package.json'), 'utf8'));
  const imported = new Set();
  for (const file of readdirSync(join(tree, 'dist')).filter((f) => /\.m?js$/.test(f))) {
    for (const name of importedPackages(readFileSync(join(tree, 'dist', file), 'utf8'))) imported.add(name);
  }
  const cdnImports = new Set();
  for (const file of readdirSync(join(tree, 'cdn')).filter((f) => f.endsWith('.js'))) {
    for (const name of importedPackages(readFileSync(join(tree, 'cdn', file), 'utf8'))) cdnImports.add(name);
  }
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const problems = [];
  for (const name of imported) if (!declared.has(name)) problems.push(`dist imports ${name}, which is not a dependency`);
  for (const name of declared) if (!imported.has(name)) problems.push(`${name} is a dependency, but dist never imports it`);
  for (const name of cdnImports) problems.push(`cdn/ must be self-contained but imports ${name}`);
  return problems;
}

/** Gzipped sizes of what a page downloads (the npm entry, the CDN entry, workers, runtimes). */
export function downloadSizes(tree) {
  const files = [
    'dist/sam2-segmenter.js',
    'cdn/sam2-segmenter.js',
    'dist/react.js',
    'dist/sam2.worker.js',
    'dist/ort-wasm-simd-threaded.wasm',
    'dist/sam2.worker.webgpu.js',
    'dist/ort-wasm-simd-threaded.asyncify.wasm',
  ];
  return files.map((file) => {
    const bytes = readFileSync(join(tree, file));
    return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

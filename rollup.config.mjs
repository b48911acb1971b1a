// What the package ships:
//
// dist/ (the npm entries, for bundlers and Node): lit, @lit/task and @lit/react stay imports, as
// every major Lit library publishes them (Shoelace, Web Awesome, Material Web and model-viewer all
// list lit in `dependencies`), so an app's bundler dedupes one Lit for all its components, and
// Node resolves lit's server build (importing the package during SSR does not throw).
//   dist/sam2-segmenter.js  the element and everything it shares with the other entries; importing
//                           it registers <sam2-segmenter> (in a browser)
//   dist/testing.js         `sam2-segmenter/testing` (test hooks)   } both import ./sam2-segmenter.js,
//   dist/react.js           `sam2-segmenter/react` (@lit/react)     } so one worker registry, one class
//   dist/sam2.worker.js     the inference worker (onnxruntime-web's plain WASM build bundled)
//   dist/sam2.worker.webgpu.js  the same worker with onnxruntime-web's WebGPU build
//   + onnxruntime-web's .wasm binaries and .mjs glue, copied as they are.
//
// cdn/ (script tags, CDNs, pages without a bundler): the same element and testing entries with
// lit bundled, minified; they reference the worker and runtime files in ../dist/.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';

const require = createRequire(import.meta.url);
const ortDist = (file) => require.resolve(`onnxruntime-web/${file}`);
/** Emits onnxruntime-web's runtime files (wasm binary + Emscripten glue) unchanged next to the bundles. */
function copyOrtRuntime(base) {
  return {
    name: 'copy-ort-runtime',
    generateBundle() {
      for (const fileName of [`${base}.wasm`, `${base}.mjs`]) {
        this.emitFile({ type: 'asset', fileName, source: readFileSync(ortDist(fileName)) });
      }
    },
  };
}

/**
 * The WebGPU worker is the same source with onnxruntime's WebGPU build (JSEP/asyncify, 27 MB
 * wasm) instead of the plain WASM one (14 MB): pages only download it when a GPU is used.
 */
function useOrtWebGpu() {
  return {
    name: 'use-ort-webgpu',
    resolveId(source, importer) {
      if (source === 'onnxruntime-web/wasm') return this.resolve('onnxruntime-web/webgpu', importer, { skipSelf: true });
      return null;
    },
  };
}

/**
 * cdn/ holds no worker or runtime files of its own: the literal `new URL('./file', import.meta.url)`
 * references in src/client/assets.ts point one folder over, to dist/.
 */
function assetsFromDist() {
  return {
    name: 'assets-from-dist',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('/src/client/assets.ts')) return null;
      const rewritten = code.replaceAll("new URL('./", "new URL('../dist/");
      const count = (rewritten.match(/new URL\('\.\.\/dist\//g) ?? []).length;
      if (count !== 6) this.error(`assets-from-dist: expected 6 asset URLs in ${id}, found ${count}`);
      return { code: rewritten, map: null };
    },
  };
}

/** Left as imports in dist/ (dependencies / the optional react peer); bundled into cdn/. */
const PACKAGE_IMPORTS = /^(lit|lit-html|lit-element|@lit\/[^/]+|@lit-labs\/[^/]+|react|react-dom)(\/.*)?$/;

const production = process.env.NODE_ENV !== 'development';
const plugins = ({ define = {}, minify = production } = {}) => [
  nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }),
  esbuild({ target: 'es2022', minify, sourceMap: true, tsconfig: 'tsconfig.json', define }),
];

// Everything but the small entry modules goes into the sam2-segmenter chunk, which is the
// sam2-segmenter entry itself: one <script src=".../sam2-segmenter.js"> is the whole element, and
// the testing and react entries import their shared modules from it.
const ownEntry = (id) => /\/src\/(testing\.ts|react\/)/.test(id.replaceAll('\\', '/'));
const sharedChunk = (id) => (ownEntry(id) ? undefined : 'sam2-segmenter');

export default [
  {
    input: { 'sam2-segmenter': 'src/index.ts', testing: 'src/testing.ts', react: 'src/react/index.ts' },
    external: (id) => PACKAGE_IMPORTS.test(id),
    // The element chunk may export a few extra (internal) bindings for the other entries.
    preserveEntrySignatures: 'allow-extension',
    output: { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', manualChunks: sharedChunk, hoistTransitiveImports: false },
    // Left readable: apps minify their own bundle.
    plugins: plugins({ minify: false }),
  },
  {
    input: { 'sam2-segmenter': 'src/index.ts', testing: 'src/testing.ts' },
    preserveEntrySignatures: 'allow-extension',
    output: { dir: 'cdn', format: 'es', sourcemap: true, entryFileNames: '[name].js', manualChunks: sharedChunk },
    plugins: [assetsFromDist(), ...plugins()],
  },
  // The workers are not minified again: onnxruntime's code is minified already, and minifying
  // would strip its `/* webpackIgnore: true */ /* @vite-ignore */` import() comments, which a
  // bundler that processes the worker needs.
  {
    input: 'src/worker/sam2.worker.ts',
    output: { file: 'dist/sam2.worker.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [...plugins({ define: { __SAM2_EP__: '"wasm"' }, minify: false }), copyOrtRuntime('ort-wasm-simd-threaded')],
  },
  {
    input: 'src/worker/sam2.worker.ts',
    output: { file: 'dist/sam2.worker.webgpu.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [useOrtWebGpu(), ...plugins({ define: { __SAM2_EP__: '"webgpu"' }, minify: false }), copyOrtRuntime('ort-wasm-simd-threaded.asyncify')],
  },
];

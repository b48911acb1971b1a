// Independent bundles, no shared chunks, so a page needs exactly one <script> tag:
//   dist/sam2-segmenter.js  the element (lit bundled), registers <sam2-segmenter>
//   dist/testing.js         test hooks (sam2-segmenter/testing), importing the element bundle
//   dist/sam2.worker.js     the inference worker (onnxruntime-web's plain WASM build bundled)
//   dist/sam2.worker.webgpu.js  the same worker with onnxruntime-web's WebGPU build
// plus onnxruntime-web's .wasm binary and .mjs glue copied next to them (the worker points ORT at
// them by URL; the glue is fetched when the worker runs from a blob: URL in the cross-origin case).
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

const production = process.env.NODE_ENV !== 'development';
const plugins = (define = {}) => [
  nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }),
  esbuild({ target: 'es2022', minify: production, sourceMap: true, tsconfig: 'tsconfig.json', define }),
];

export default [
  {
    // dist/testing.js (the `sam2-segmenter/testing` entry) must talk to the element's own shared
    // workers, so it imports its modules from dist/sam2-segmenter.js instead of bundling copies.
    input: { 'sam2-segmenter': 'src/index.ts', testing: 'src/testing.ts' },
    // The element bundle may export a few extra (internal) bindings for testing.js to import.
    preserveEntrySignatures: 'allow-extension',
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      manualChunks: (id) => (id.endsWith('/src/testing.ts') ? undefined : 'sam2-segmenter'),
    },
    plugins: plugins(),
  },
  {
    input: 'src/worker/sam2.worker.ts',
    output: { file: 'dist/sam2.worker.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [...plugins({ __SAM2_EP__: '"wasm"' }), copyOrtRuntime('ort-wasm-simd-threaded')],
  },
  {
    input: 'src/worker/sam2.worker.ts',
    output: { file: 'dist/sam2.worker.webgpu.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [useOrtWebGpu(), ...plugins({ __SAM2_EP__: '"webgpu"' }), copyOrtRuntime('ort-wasm-simd-threaded.asyncify')],
  },
];

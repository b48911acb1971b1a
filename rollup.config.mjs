// Two independent bundles, no shared chunks, so a page needs exactly one <script> tag:
//   dist/sam2-segmenter.js  the element (lit bundled), registers <sam2-segmenter>
//   dist/sam2.worker.js     the inference worker (onnxruntime-web's plain WASM build bundled)
// plus onnxruntime-web's .wasm binary and .mjs glue copied next to them (the worker points ORT at
// them by URL; the glue is fetched when the worker runs from a blob: URL in the cross-origin case).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';

const require = createRequire(import.meta.url);
const ortDist = (file) => require.resolve(`onnxruntime-web/${file}`);
const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'];

/** Emits onnxruntime-web's runtime files unchanged next to the bundles. */
function copyOrtRuntime() {
  return {
    name: 'copy-ort-runtime',
    generateBundle() {
      for (const fileName of ORT_RUNTIME_FILES) {
        this.emitFile({ type: 'asset', fileName, source: readFileSync(ortDist(fileName)) });
      }
    },
  };
}

const production = process.env.NODE_ENV !== 'development';
const plugins = () => [
  nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }),
  esbuild({ target: 'es2022', minify: production, sourceMap: true, tsconfig: 'tsconfig.json' }),
];

export default [
  {
    input: 'src/index.ts',
    output: { file: 'dist/sam2-segmenter.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: plugins(),
  },
  {
    input: 'src/worker/sam2.worker.ts',
    output: { file: 'dist/sam2.worker.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [...plugins(), copyOrtRuntime()],
  },
];

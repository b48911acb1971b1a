/**
 * Where the inference worker and onnxruntime's runtime files are. Decided when a worker first
 * starts, not when this module loads, so a base the page sets before first use
 * (`Sam2Segmenter.basePath`, or `data-sam2-base` on the script tag) is honoured by elements that
 * were already in the markup when the script ran.
 */
import type { Backend } from '../events.js';

/** The files one worker needs. */
export interface WorkerAssets {
  /** The worker bundle. */
  worker: URL;
  /** onnxruntime's WebAssembly binary for this worker. */
  wasm: URL;
  /** Its Emscripten glue: only fetched when the worker runs from a blob: URL (cross-origin). */
  glue: URL;
}

const FILES: Record<Backend, { worker: string; runtime: string }> = {
  wasm: { worker: 'sam2.worker.js', runtime: 'ort-wasm-simd-threaded' },
  webgpu: { worker: 'sam2.worker.webgpu.js', runtime: 'ort-wasm-simd-threaded.asyncify' },
};

// Every URL is spelled out as `new URL(<relative literal>, import.meta.url)`, never computed from a base
// or a variable: it is the one form that Vite (dev and build), webpack 5, Parcel and Rollup's
// import-meta-assets plugin follow, emit, and rewrite to the emitted (hashed) name. The worker is
// referenced as a plain asset rather than as `new Worker(new URL(...))`, so bundlers copy it as it
// is instead of re-bundling it: a re-bundled onnxruntime breaks (webpack hard-codes
// `import.meta.url` as a file: URL, which onnxruntime's thread start-up then uses).
// The CDN build (cdn/) rewrites these './' literals to '../dist/' (rollup.config.mjs).
const BUNDLED: Record<Backend, () => WorkerAssets> = {
  wasm: () => ({
    worker: new URL('./sam2.worker.js', import.meta.url),
    wasm: new URL('./ort-wasm-simd-threaded.wasm', import.meta.url),
    glue: new URL('./ort-wasm-simd-threaded.mjs', import.meta.url),
  }),
  webgpu: () => ({
    worker: new URL('./sam2.worker.webgpu.js', import.meta.url),
    wasm: new URL('./ort-wasm-simd-threaded.asyncify.wasm', import.meta.url),
    glue: new URL('./ort-wasm-simd-threaded.asyncify.mjs', import.meta.url),
  }),
};

let basePath: string | null = null;

/** `Sam2Segmenter.basePath`: a folder holding the files of dist/ (null: where the bundle put them). */
export function setBasePath(path: string | null) {
  basePath = path || null;
}

export function getBasePath(): string | null {
  return basePath;
}

/** The folder of the page's choice, if any: the static property first, then the script tag. */
function chosenBase(): URL | null {
  if (basePath) return folderOf(basePath);
  if (typeof document === 'undefined') return null;
  // `document.currentScript` is null for module scripts, so the tag is found by its attribute.
  const script = document.querySelector<HTMLScriptElement>('script[data-sam2-base]');
  if (!script) return null;
  const base = script.dataset.sam2Base ?? '';
  // An empty attribute means "next to this script".
  return base ? folderOf(base) : script.src ? folderOf(script.src) : null;
}

/** A folder URL with its trailing slash; the URL of a file (e.g. sam2.worker.js) means its folder. */
function folderOf(path: string): URL {
  const url = new URL(path, document.baseURI);
  if (!url.pathname.endsWith('/')) {
    const last = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
    url.pathname = last.includes('.') ? url.pathname.slice(0, url.pathname.length - last.length) : `${url.pathname}/`;
  }
  url.search = '';
  url.hash = '';
  return url;
}

/**
 * Turbopack (Next.js) turns the literals into a URL look-alike whose `href` is a root-relative
 * path and whose `origin` is empty, so that the same code runs during server rendering; in the
 * browser it means the page's origin.
 */
function absolute(url: URL): URL {
  return new URL(String(url), self.location.href);
}

/**
 * Vite before 8 serves dependencies from a pre-bundled copy in node_modules/.vite/deps/ in dev
 * and does not rewrite relative `new URL(..., import.meta.url)` in them
 * (https://github.com/vitejs/vite/issues/8427), so the URLs point into .vite/deps/, where the
 * files are not. The same dev server serves the package's own folder.
 */
function outOfViteDeps(url: URL): URL {
  const match = /^(.*\/node_modules\/)\.vite\/deps(?:_temp_[^/]*)?\/([^/]+)$/.exec(url.pathname);
  return match ? new URL(`${match[1]}sam2-segmenter/dist/${match[2]}`, url) : url;
}

/** The files of a backend's worker, from the chosen base or from where the bundler put them. */
export function workerAssets(backend: Backend): WorkerAssets {
  const base = chosenBase();
  if (base) {
    const { worker, runtime } = FILES[backend];
    return { worker: new URL(worker, base), wasm: new URL(`${runtime}.wasm`, base), glue: new URL(`${runtime}.mjs`, base) };
  }
  const bundled = BUNDLED[backend]();
  const fix = (url: URL) => outOfViteDeps(absolute(url));
  return { worker: fix(bundled.worker), wasm: fix(bundled.wasm), glue: fix(bundled.glue) };
}

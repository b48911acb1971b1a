/**
 * Runs inside a test "tab" (frame.html in an iframe): loads models with its own copy of the
 * element (and so its own worker), and reports what happened to the test page.
 */
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { ErrorDetail, MaskChangeDetail, ModelLoadDetail, ProgressDetail } from '../../src/events.js';
import type { ModelManifest } from '../../src/model/manifest.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { SCENE, sceneUrl } from '../helpers.js';

const Segmenter = customElements.get('sam2-segmenter') as unknown as typeof Sam2Segmenter;

export interface LoadReport {
  /** model-load detail, or null when the load failed. */
  loaded: ModelLoadDetail | null;
  /** The error that ended the load (not storage warnings). */
  error: ErrorDetail | null;
  warnings: ErrorDetail[];
  progress: Array<ProgressDetail & { at: number }>;
  ms: number;
}

export interface FrameApi {
  load(model: string | ModelManifest, options?: { modelBase?: string }): Promise<LoadReport>;
  /** Encodes the test scene and clicks the red ellipse: mask size, area and a checksum. */
  segment(): Promise<{ width: number; height: number; area: number; checksum: string }>;
  Segmenter: typeof Sam2Segmenter;
  /** This tab's sam2-segmenter/testing entry (its own workers). */
  testing: typeof testing;
}

let element: Sam2Segmenter | null = null;

const api: FrameApi = {
  Segmenter,
  testing,
  load(model, options = {}) {
    element?.remove();
    const el = document.createElement('sam2-segmenter');
    element = el;
    el.loading = 'eager';
    if (options.modelBase) el.modelBase = options.modelBase;
    el.model = model;
    const report: LoadReport = { loaded: null, error: null, warnings: [], progress: [], ms: 0 };
    const started = performance.now();
    return new Promise((resolve) => {
      const done = () => {
        report.ms = performance.now() - started;
        resolve(report);
      };
      el.addEventListener('progress', (e) => report.progress.push({ ...(e as unknown as CustomEvent<ProgressDetail>).detail, at: performance.now() - started }));
      el.addEventListener('model-load', (e) => {
        report.loaded = (e as CustomEvent<ModelLoadDetail>).detail;
        done();
      });
      el.addEventListener('error', (e) => {
        const detail = (e as unknown as CustomEvent<ErrorDetail>).detail;
        if (detail.code.startsWith('storage-')) {
          report.warnings.push(detail);
          return;
        }
        report.error = detail;
        done();
      });
      document.body.append(el);
    });
  },
  async segment() {
    const el = element!;
    const [width, height] = [400, 240];
    const encoded = new Promise((resolve) => el.addEventListener('image-encode', resolve, { once: true }));
    el.src = await sceneUrl(width, height);
    await encoded;
    const changed = new Promise<CustomEvent<MaskChangeDetail>>((resolve) => el.addEventListener('mask-change', (e) => resolve(e as CustomEvent<MaskChangeDetail>), { once: true }));
    await el.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
    const mask = (await changed).detail.mask!;
    let hash = 0x811c9dc5;
    for (let i = 0; i < mask.data.length; i++) hash = Math.imul(hash ^ mask.data[i], 16777619);
    return { width: mask.width, height: mask.height, area: (await changed).detail.area, checksum: (hash >>> 0).toString(16) };
  },
};

(window as unknown as { frameApi: FrameApi }).frameApi = api;
parent.postMessage('sam2-frame-ready', location.origin);

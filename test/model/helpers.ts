/**
 * Helpers of the model-delivery tests: fixture manifests whose files come through the faulty
 * test server (`/__serve/<options>/...`, web-test-runner.config.mjs), the server's logs, and
 * "tabs": same-origin iframes, each with its own copy of the element and its own worker.
 */
import type { ModelManifest } from '../../src/model/manifest.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import type { FrameApi } from './frame.js';

export const GENERATED = '/test/fixtures/generated/';
export const ENCODER_BYTES = 1146;
export const DECODER_BYTES = 6709;
export const MODEL_BYTES = ENCODER_BYTES + DECODER_BYTES;

export const segmenterClass = () => customElements.get('sam2-segmenter') as unknown as typeof Sam2Segmenter;

/** Absolute URL of a generated fixture served with the given faults ('-' for none). */
export const served = (path: string, options = '-') => new URL(`/__serve/${options}${GENERATED}${path}`, location.origin).href;
/** The path the server logs that URL under. */
export const servedPath = (path: string, options = '-') => new URL(served(path, options)).pathname;

export interface ColourOptions {
  /** Server options for each file. */
  encoder?: string;
  decoder?: string;
  /** Keep the manifest's sizes and hashes (false: URLs only, like a built-in preset). */
  sizes?: boolean;
  name?: string;
  download?: ModelManifest['download'];
}

/** The colour fixture model with its files behind the faulty server. */
export async function colourManifest(options: ColourOptions = {}): Promise<ModelManifest> {
  const manifest = (await (await fetch(`${GENERATED}colour.manifest.json`)).json()) as ModelManifest;
  manifest.name = options.name ?? 'delivery-colour';
  manifest.download = { rangeSize: 512, stallTimeout: 2000, ...options.download };
  for (const role of ['encoder', 'decoder'] as const) {
    const file = manifest[role];
    const part = file.parts[0];
    part.url = served(part.url, options[role] ?? '-');
    if (options.sizes === false) {
      delete file.bytes;
      delete file.sha256;
      delete part.bytes;
      delete part.sha256;
    }
  }
  return manifest;
}

export interface ServedEntry {
  range: string | null;
  status: number;
  bytes: number;
  fault?: 'cut' | 'stall';
}

export async function servedLog(): Promise<Record<string, ServedEntry[]>> {
  return (await fetch('/__served')).json();
}

/** What the server served after the snapshot `before` was taken (once-only faults stay fired). */
export function servedSince(before: Record<string, ServedEntry[]>, now: Record<string, ServedEntry[]>) {
  const out: Record<string, ServedEntry[]> = {};
  for (const [path, entries] of Object.entries(now)) {
    const fresh = entries.slice(before[path]?.length ?? 0);
    if (fresh.length) out[path] = fresh;
  }
  return out;
}

/** Resets the request counts, the served log and the fired once-only faults. */
export async function resetServer(): Promise<void> {
  await fetch('/__requests', { method: 'DELETE' });
}

/** Bytes the server sent for a path (all responses). */
export const bytesSent = (log: Record<string, ServedEntry[]>, path: string) => (log[path] ?? []).reduce((sum, e) => sum + e.bytes, 0);

const frames: HTMLIFrameElement[] = [];

/** A new same-origin page (a "tab") with its own element class and worker. */
export async function openTab(): Promise<FrameApi> {
  const frame = document.createElement('iframe');
  frame.src = `/test/model/frame.html?${frames.length}`;
  frame.style.cssText = 'width: 400px; height: 300px; border: 0';
  const ready = new Promise<FrameApi>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the tab did not start')), 30000);
    const onMessage = (event: MessageEvent) => {
      if (event.source !== frame.contentWindow || event.data !== 'sam2-frame-ready') return;
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      resolve((frame.contentWindow as unknown as { frameApi: FrameApi }).frameApi);
    };
    window.addEventListener('message', onMessage);
  });
  frames.push(frame);
  document.body.append(frame);
  return ready;
}

/** Closes every tab: their workers die with them, exactly like closing a browser tab. */
export function closeTabs() {
  for (const frame of frames.splice(0)) frame.remove();
}

export const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds (or fails the test after `timeout` ms). */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeout = 20000) {
  const end = performance.now() + timeout;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting until ${what}`);
    await settle(25);
  }
}

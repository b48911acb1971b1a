/**
 * Last script of a hosting frame: loads the element (the one in the markup upgrades; `?cdn`:
 * from the other origin's cdn/ build), sets
 * `Sam2Segmenter.basePath` from `?base=` if given (after the element exists, before its first
 * worker), gives the element the test scene, and offers `segment()` to the test page.
 */
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import type * as Testing from '../../src/testing.js';
import { SCENE, groundTruth, iou, sceneBlob } from '../helpers.js';

const params = new URLSearchParams(location.search);
if (params.has('cdn')) {
  // The CDN case: the element from the other loopback origin's cdn/ build.
  const here = new URL(location.href);
  await import(`${here.protocol}//${here.hostname === 'localhost' ? '127.0.0.1' : 'localhost'}:${here.port}/cdn/sam2-segmenter.js`);
} else {
  const npmBuild = '../../dist/sam2-segmenter.js';
  await import(npmBuild);
}
// Before anything else is awaited: the element in the markup starts loading its model meanwhile.
const Segmenter = customElements.get('sam2-segmenter') as unknown as typeof Sam2Segmenter;
if (params.has('base')) Segmenter.basePath = params.get('base');
// The frame's own sam2-segmenter/testing entry (its own workers).
const testing = (await import('../testing.js')) as typeof Testing;

export const WIDTH = 400;
export const HEIGHT = 240;
const element = document.querySelector('sam2-segmenter') as Sam2Segmenter;
// A Blob, not a blob: URL: nothing the page's CSP (img-src, connect-src) has to allow.
element.image = await sceneBlob(WIDTH, HEIGHT);

export interface HostingFrameApi {
  element: Sam2Segmenter;
  testing: typeof Testing;
  /** Clicks the red ellipse: IoU of the mask with the exact ground truth. */
  segment(): Promise<number>;
}
const api: HostingFrameApi = {
  element,
  testing,
  async segment() {
    const result = await element.addPoint(SCENE[0].cx * WIDTH, SCENE[0].cy * HEIGHT);
    if (!result?.mask) throw new Error('addPoint gave no mask');
    return iou(result.mask, groundTruth(WIDTH, HEIGHT, [SCENE[0], SCENE[1]]));
  },
};
(window as unknown as { hostingFrame: HostingFrameApi }).hostingFrame = api;
parent.postMessage('sam2-hosting-frame-ready', '*');

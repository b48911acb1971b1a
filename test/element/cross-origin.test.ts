/**
 * The CDN case: the page is on one origin, the script (and its worker, ORT's wasm/glue) on
 * another. The page here is http://localhost:PORT; the bundle is loaded from
 * http://127.0.0.1:PORT, a different origin served by the same test server (with CORS + CORP).
 */
import { expect } from '@esm-bundle/chai';
import type { MaskChangeDetail } from '../../src/events.js';
import { SCENE, createSegmenter, groundTruth, iou, nextEvent, sceneUrl } from '../helpers.js';

describe('<sam2-segmenter> loaded from another origin', () => {
  it('registers, starts its worker across origins and returns a mask', async () => {
    const here = new URL(location.href);
    const otherHost = here.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    const cdn = `${here.protocol}//${otherHost}:${here.port}/cdn/sam2-segmenter.js`;
    expect(new URL(cdn).origin).to.not.equal(location.origin);
    await import(/* @vite-ignore */ cdn);
    expect(customElements.get('sam2-segmenter')).to.not.equal(undefined);

    const [width, height] = [1000, 600];
    const element = createSegmenter();
    const loaded = nextEvent<{ threads: number; backend: string }>(element, 'model-load');
    element.src = await sceneUrl(width, height);
    await nextEvent(element, 'image-encode');
    const { detail: load } = await loaded;
    expect(load.backend).to.equal('wasm');
    // The test page is cross-origin isolated, so threads work even from the other origin.
    expect(crossOriginIsolated).to.equal(true);
    expect(load.threads).to.equal(Math.min(navigator.hardwareConcurrency, 16));
    const changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
    const { detail } = await changed;
    const score = iou(detail.mask!, groundTruth(width, height, [SCENE[0], SCENE[1]]));
    expect(score).to.be.at.least(0.97);
  });
});

/**
 * WebGPU smoke test: runs with --enable-unsafe-webgpu, which gives headless Chromium a software
 * (SwiftShader) adapter. Far too slow for the real encoder, enough to prove the WebGPU worker,
 * its onnxruntime build and the mask path produce the same masks as WASM.
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { ErrorDetail, MaskChangeDetail } from '../../src/events.js';
import { SCENE, createSegmenter, groundTruth, iou, nextEvent, sceneUrl } from '../helpers.js';


// Compiling onnxruntime's 27 MB WebGPU wasm and SwiftShader shaders takes tens of seconds here.
const SLOW = { timeout: 240000 };

describe('<sam2-segmenter> on WebGPU', function () {
  this.timeout(300000);
  it('backend="webgpu" loads on a WebGPU adapter and gives the same mask as WASM', async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    expect(await gpu?.requestAdapter(), 'this browser run has a WebGPU adapter').to.not.equal(null);
    const [width, height] = [1000, 600];
    const src = await sceneUrl(width, height);
    const results = [];
    for (const backend of ['webgpu', 'wasm'] as const) {
      const element = createSegmenter();
      element.backend = backend;
      const loaded = nextEvent<{ backend: string }>(element, 'model-load', SLOW);
      element.src = src;
      await nextEvent(element, 'image-encode', SLOW);
      expect((await loaded).detail.backend).to.equal(backend);
      const result = await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
      expect(iou(result!.mask!, groundTruth(width, height, [SCENE[0], SCENE[1]]))).to.be.at.least(0.97);
      results.push(result!.mask!);
      element.remove();
    }
    // Same logits up to float rounding: the masks agree almost everywhere.
    expect(iou(results[0], results[1])).to.be.at.least(0.995);
  });

  it('backend="auto" keeps WASM on a software (fallback) adapter', async () => {
    const element = createSegmenter();
    element.backend = 'auto';
    const loaded = nextEvent<{ backend: string }>(element, 'model-load', SLOW);
    element.src = await sceneUrl(300, 200);
    expect((await loaded).detail.backend).to.equal('wasm');
    element.remove();
  });

  it('a lost GPU device: backend-lost, then the same mask on WASM without any call from the page', async () => {
    const [width, height] = [1000, 600];
    const element = createSegmenter();
    element.backend = 'webgpu';
    const loaded = nextEvent<{ backend: string }>(element, 'model-load', SLOW);
    element.src = await sceneUrl(width, height);
    await nextEvent(element, 'image-encode', SLOW);
    expect((await loaded).detail.backend).to.equal('webgpu');
    const before = await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
    const truth = groundTruth(width, height, [SCENE[0], SCENE[1]]);
    expect(iou(before!.mask!, truth)).to.be.at.least(0.97);

    const lost = nextEvent<ErrorDetail>(element, 'error', SLOW);
    const reloaded = nextEvent<{ backend: string }>(element, 'model-load', { ...SLOW, allowErrors: true });
    const remasked = nextEvent<MaskChangeDetail>(element, 'mask-change', { ...SLOW, allowErrors: true });
    await testing.simulateDeviceLoss();
    const { detail } = await lost;
    expect(detail.code).to.equal('backend-lost');
    expect(detail.recoverable).to.equal(true);
    expect((await reloaded).detail.backend).to.equal('wasm');
    // The prompt survived and was decoded again on the new backend.
    const { detail: mask } = await remasked;
    expect(mask.prompts.points).to.have.length(1);
    expect(iou(mask.mask!, truth)).to.be.at.least(0.97);
    expect(element.status).to.equal('ready');
    // New elements on this page keep to WASM, even when they ask for WebGPU.
    const next = createSegmenter();
    next.backend = 'webgpu';
    const nextLoaded = nextEvent<{ backend: string }>(next, 'model-load', SLOW);
    next.src = await sceneUrl(300, 200);
    expect((await nextLoaded).detail.backend).to.equal('wasm');
    element.remove();
    next.remove();
  });
});

/**
 * The WebGPU worker's own paths (issue 13), on SwiftShader: the encoder's embeddings stay on the
 * GPU for the decodes (no upload per click), an image answered from the embedding cache is
 * uploaded once, the decoder runs once ahead of the first click (its shaders compile then), and
 * the masks are still the right ones. Counters only: nothing here measures time.
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import { SCENE, createSegmenter, groundTruth, iou, nextEvent, sceneUrl } from '../helpers.js';

const SLOW = { timeout: 240000 };

describe('<sam2-segmenter> WebGPU paths', function () {
  // Three SwiftShader encodes: minutes on a loaded 2-core machine (seen over 300 s).
  this.timeout(480000);
  it('keeps embeddings on the GPU between clicks, uploads a cached image once, warms the decoder up once', async () => {
    const [width, height] = [1000, 600];
    const truth = groundTruth(width, height, [SCENE[0], SCENE[1]]);
    const click = () => element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
    const element = createSegmenter();
    element.backend = 'webgpu';
    element.embeddingCache = 'memory';
    const loaded = nextEvent<{ backend: string }>(element, 'model-load', SLOW);
    const first = await sceneUrl(width, height);
    element.src = first;
    await nextEvent(element, 'image-encode', SLOW);
    expect((await loaded).detail.backend).to.equal('webgpu');

    // The warm-up starts once no encode or decode has been waiting for a while (gpu-encode.test.ts
    // covers a click that comes first): wait for it, so the clicks below find the decoder warm.
    let before = (await testing.workerStats('webgpu'))!;
    for (let i = 0; i < 2400 && before.decoderWarmUps === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      before = (await testing.workerStats('webgpu'))!;
    }
    expect(before.embeddingsKeptOnDevice, 'the encode left its embeddings on the GPU').to.equal(1);
    for (let i = 0; i < 2; i++) {
      element.clear();
      expect(iou((await click())!.mask!, truth)).to.be.at.least(0.97);
    }
    const clicked = (await testing.workerStats('webgpu'))!;
    expect(clicked.decodes - before.decodes).to.equal(2);
    expect(clicked.embeddingUploads, 'no click uploaded embeddings').to.equal(0);
    expect(clicked.decoderWarmUps, 'one warm-up decode ran before the first click').to.equal(1);
    expect(clicked.decoderWarmUpsSkipped, 'the warm-up was not skipped').to.equal(0);

    // Another image, then back to the first: the cache answers, its embeddings go up once.
    const encoded = () => nextEvent(element, 'image-encode', SLOW);
    let next = encoded();
    element.src = await sceneUrl(800, 500);
    await next;
    next = encoded();
    element.src = first;
    await next;
    const revisited = (await testing.workerStats('webgpu'))!;
    expect(revisited.embeddingCacheHits - clicked.embeddingCacheHits, 'the revisit came from the cache').to.equal(1);
    expect(revisited.embeddingsKeptOnDevice).to.equal(2);
    for (let i = 0; i < 2; i++) {
      element.clear();
      expect(iou((await click())!.mask!, truth)).to.be.at.least(0.97);
    }
    const after = (await testing.workerStats('webgpu'))!;
    expect(after.embeddingUploads, 'the cached image was uploaded for its first click only').to.equal(1);
    expect(after.decoderWarmUps, 'the decoder is warmed up once per session').to.equal(1);
    element.remove();
  });

  it('WASM threads: one per reported core, up to 16', async () => {
    const element = createSegmenter();
    element.backend = 'webgpu';
    const loaded = nextEvent<{ backend: string; threads: number }>(element, 'model-load', SLOW);
    element.src = await sceneUrl(300, 200);
    const { detail } = await loaded;
    expect(detail.threads).to.equal(Math.min(navigator.hardwareConcurrency, 16));
    element.remove();
  });
});

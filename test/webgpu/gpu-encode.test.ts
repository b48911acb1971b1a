/**
 * The WebGPU encode's reply and what follows it (issue 13), on SwiftShader: the encode replies
 * once the GPU finished (the embeddings' copy-down lands after the reply and fills the caches),
 * the decoder warm-up yields to an image set right after the first `image-encode` (that encode
 * runs first), a click that comes before the warm-up is its own warm-up, and the model load
 * reports its phases. Counters and consistency rules only: nothing here asserts a duration.
 * Its own file (page, worker): the warm-up happens once per decoder session, so these models'
 * decoders must be fresh here.
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import type { ImageEncodeDetail, ModelLoadDetail } from '../../src/events.js';
import * as testing from '../testing.js';
import { checkLoadTimings } from '../load-timings.js';
import { REFINE_MODEL, SCENE, createSegmenter, groundTruth, iou, nextEvent, sceneUrl } from '../helpers.js';

const SLOW = { timeout: 240000 };
const stats = async () => (await testing.workerStats('webgpu'))!;

/** Polls the worker's counters until `done` holds for them (the copy-down and the warm-up land in the background). */
async function statsWhen(done: (s: testing.WorkerStats) => boolean, what: string, timeoutMs = 120000) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const s = await stats();
    if (done(s)) return s;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('<sam2-segmenter> WebGPU encode reply and decoder warm-up', function () {
  this.timeout(300000);

  it('an image set right after the first image-encode is encoded before the decoder warm-up; copy-downs land after the replies', async () => {
    const [width, height] = [1000, 600];
    const first = await sceneUrl(width, height);
    const second = await sceneUrl(800, 500);
    const t0 = performance.now();
    const element = createSegmenter();
    element.backend = 'webgpu';
    element.embeddingCache = 'memory';
    let loadedAt = 0;
    const loaded = nextEvent<ModelLoadDetail>(element, 'model-load', SLOW).then((event) => ((loadedAt = performance.now()), event));
    const encodes: ImageEncodeDetail[] = [];
    const bothEncoded = new Promise<void>((resolve, reject) => {
      element.addEventListener('error', (event) => reject((event as CustomEvent).detail));
      element.addEventListener('image-encode', (event) => {
        encodes.push((event as CustomEvent<ImageEncodeDetail>).detail);
        // The next image, in the same task as the first image-encode.
        if (encodes.length === 1) element.src = second;
        else resolve();
      });
    });
    element.src = first;
    const { detail: load } = await loaded;
    expect(load.backend).to.equal('webgpu');
    checkLoadTimings(load, loadedAt - t0);
    await bothEncoded;

    for (const timings of encodes.map((detail) => detail.timings!)) {
      expect(Number.isFinite(timings.gpuWait), 'gpuWait reported on WebGPU').to.equal(true);
      expect(timings.gpuWait).to.be.at.least(0);
      expect(timings.gpuWait!, 'gpuWait is part of encoder').to.be.at.most(timings.encoder);
    }
    const settled = await statsWhen((s) => s.decoderWarmUps === 1 && s.embeddingCopyDownsAfterReply === 2, 'the warm-up and both copy-downs');
    expect(settled.imagesEncoded).to.equal(2);
    expect(settled.encodesBeforeDecoderWarmUp, 'the second encode ran before the warm-up').to.equal(2);
    expect(settled.embeddingsKeptOnDevice).to.equal(2);
    expect(settled.embeddingCopyDownFailures).to.equal(0);
    expect(settled.decoderWarmUpsSkipped).to.equal(0);

    // The second image's clicks use its resident GPU buffers; the masks are the right ones.
    const truth2 = groundTruth(800, 500, [SCENE[0], SCENE[1]]);
    element.clear();
    expect(iou((await element.addPoint(SCENE[0].cx * 800, SCENE[0].cy * 500))!.mask!, truth2)).to.be.at.least(0.97);

    // Back to the first image: answered from the memory cache the copy-down filled (CPU data),
    // uploaded for its first click.
    const revisit = nextEvent(element, 'image-encode', SLOW);
    element.src = first;
    await revisit;
    const truth1 = groundTruth(width, height, [SCENE[0], SCENE[1]]);
    element.clear();
    expect(iou((await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height))!.mask!, truth1)).to.be.at.least(0.97);
    const after = await stats();
    expect(after.embeddingCacheHits - settled.embeddingCacheHits, 'the revisit came from the cache').to.equal(1);
    expect(after.imagesEncoded).to.equal(2);
    expect(after.embeddingUploads - settled.embeddingUploads, 'the cached image was uploaded once').to.equal(1);
    expect(after.decoderWarmUps, 'one warm-up per decoder session').to.equal(1);
    element.remove();
  });

  it('a click before the warm-up started runs at once and is its own warm-up (no second decoder run)', async () => {
    const [width, height] = [1000, 600];
    const truth = groundTruth(width, height, [SCENE[0], SCENE[1]]);
    const before = await stats();
    // Another model: a decoder session of its own, not warmed yet.
    const element = createSegmenter({ model: REFINE_MODEL });
    element.backend = 'webgpu';
    element.embeddingCache = 'none';
    const clicked = new Promise<Awaited<ReturnType<typeof element.addPoint>>>((resolve, reject) => {
      element.addEventListener('image-encode', () => element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height).then(resolve, reject), { once: true });
    });
    element.src = await sceneUrl(width, height);
    const result = await clicked;
    expect(iou(result!.mask!, truth)).to.be.at.least(0.97);
    // Long enough for a warm-up that was still going to start (it never does).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await stats();
    expect(after.decoderWarmUpsSkipped - before.decoderWarmUpsSkipped, 'the click was the warm-up').to.equal(1);
    expect(after.decoderWarmUps - before.decoderWarmUps, 'no background warm-up ran').to.equal(0);
    expect(after.decodes - before.decodes).to.equal(1);
    element.remove();
  });
});

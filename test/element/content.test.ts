import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { ImageEncodeDetail, ProgressDetail } from '../../src/events.js';
import { GREEN, RED, SCENE, type Shape, createSegmenter, groundTruth, iou, nextEvent, recordEvents, resetRequestCounts, sceneBlob } from '../helpers.js';

/** Replaces what the test server answers at /__mutable/<name> (served with no-store). */
async function serve(name: string, blob: Blob): Promise<string> {
  const response = await fetch(`/__mutable/${name}`, { method: 'PUT', body: blob, headers: { 'Content-Type': blob.type } });
  expect(response.status).to.equal(204);
  return new URL(`/__mutable/${name}`, location.origin).href;
}

const H = 480;
const BEFORE: Shape[] = [{ kind: 'ellipse', cx: 0.3, cy: 0.4, rx: 0.18, ry: 0.22, colour: RED }];
// The new photo: the red object moved right, a green one where the red one was.
const AFTER: Shape[] = [
  { kind: 'rect', cx: 0.72, cy: 0.6, rx: 0.15, ry: 0.2, colour: RED },
  { kind: 'rect', cx: 0.3, cy: 0.4, rx: 0.1, ry: 0.1, colour: GREEN },
];

describe('<sam2-segmenter> embeddings are keyed by the image bytes, never by URL', () => {
  afterEach(async () => {
    document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove());
    await resetRequestCounts();
  });

  for (const [mode, W] of [['disk', 640], ['memory', 600]] as const) {
    // Each case its own picture sizes: embeddings are shared by content across the whole worker.
    it(`new bytes behind the same URL are encoded and segmented, not the old picture's embedding (embedding-cache="${mode}")`, async () => {
      const url = await serve(`photo-${mode}.png`, await sceneBlob(W, H, BEFORE));
      const first = createSegmenter();
      first.embeddingCache = mode;
      first.src = url;
      await nextEvent(first, 'image-encode');
      const old = await first.addPoint(BEFORE[0].cx * W, BEFORE[0].cy * H);
      expect(iou(old!.mask!, groundTruth(W, H, BEFORE))).to.be.at.least(0.97);
      const stats0 = (await testing.workerStats())!;

      await serve(`photo-${mode}.png`, await sceneBlob(W, H, AFTER));
      const second = createSegmenter();
      second.embeddingCache = mode;
      second.src = url;
      await nextEvent(second, 'image-encode');
      const stats1 = (await testing.workerStats())!;
      expect(stats1.imagesEncoded).to.equal(stats0.imagesEncoded + 1);
      expect(stats1.embeddingCacheHits).to.equal(stats0.embeddingCacheHits);
      const moved = await second.addPoint(AFTER[0].cx * W, AFTER[0].cy * H);
      expect(iou(moved!.mask!, groundTruth(W, H, [AFTER[0]]))).to.be.at.least(0.97);
      // Where the old red object was, the new picture has a small green square.
      second.clear();
      const there = await second.addPoint(AFTER[1].cx * W, AFTER[1].cy * H, 1);
      expect(there!.mask!.data[Math.round(AFTER[0].cy * H) * W + Math.round(AFTER[0].cx * W)]).to.equal(0);

      // The same bytes again under another URL are a hit: content, not address.
      const third = createSegmenter();
      third.embeddingCache = mode;
      third.src = await serve(`copy-${mode}.png`, await sceneBlob(W, H, AFTER));
      await nextEvent(third, 'image-encode');
      const stats2 = (await testing.workerStats())!;
      expect(stats2.imagesEncoded).to.equal(stats1.imagesEncoded);
      expect(stats2.embeddingCacheHits).to.equal(stats1.embeddingCacheHits + 1);
    });
  }

  it('an encode answered from the cache is a job too: progress 0 then 1', async () => {
    const W = 520;
    const blob = await sceneBlob(W, H, SCENE);
    const first = createSegmenter();
    first.image = blob;
    await nextEvent(first, 'image-encode');
    const second = createSegmenter();
    const log = recordEvents(second, ['progress', 'image-encode']);
    second.image = blob;
    const { detail } = await nextEvent<ImageEncodeDetail>(second, 'image-encode');
    expect(detail.timings!.encoder).to.equal(0);
    const encode = (log.of('progress') as CustomEvent<ProgressDetail>[]).map((e) => e.detail).filter((d) => d.phase === 'encode');
    expect(encode.map((d) => d.fraction)).to.deep.equal([0, 1]);
    // The model was already loaded in this worker: that load is a job that ends at 1 as well.
    const model = (log.of('progress') as CustomEvent<ProgressDetail>[]).map((e) => e.detail).filter((d) => d.phase !== 'encode');
    expect(model.length).to.be.above(0);
    expect(model.at(-1)!.fraction).to.equal(1);
  });
});

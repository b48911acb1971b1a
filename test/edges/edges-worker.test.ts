/**
 * `edges` in the worker protocol: `model` (and no `edges` at all, as before it existed) is bit
 * for bit SAM 2's upsampled logits; `image` changes only pixels of the band, and a render from
 * the kept logits gives the same mask as the decode did (no decoder run).
 */
import { expect } from '@esm-bundle/chai';
import type { WorkerClient } from '../../src/client/worker-client.js';
import { upsampleLogitsToMaskWithStats } from '../../src/mask/upsample.js';
import { readPng } from '../mask/png-reader.js';
import type { DecodeRequest } from '../../src/worker/protocol.js';
import { click, encodeScene, loadModel, startWorker } from '../worker/worker-helpers.js';

const [W, H] = [1200, 900];
const PLANE = 256 * 256;

describe('worker: decode and render with edges', function () {
  this.timeout(120000);
  let client: WorkerClient;
  let modelKey: string;
  const decode = (objectId: number, extra: Partial<DecodeRequest> = {}) =>
    client.request({ type: 'decode', modelKey, imageKey: 'scene', objectId, prompts: click(0.32, 0.42, W, H), threshold: 0, maskIndex: null, ...extra });

  before(async () => {
    client = startWorker();
    modelKey = (await loadModel(client)).key;
    await encodeScene(client, modelKey, 'scene', W, H);
  });
  after(() => client.terminate());

  it('edges "model" and no edges are exactly the upsampled logits; "image" moves pixels, and a render of it is the same mask', async () => {
    const plain = await decode(1);
    const model = await decode(2, { edges: 'model' });
    const image = await decode(3, { edges: 'image' });
    const logits = plain.lowResLogits.slice(plain.maskIndex * PLANE, (plain.maskIndex + 1) * PLANE);
    const reference = upsampleLogitsToMaskWithStats(logits, 256, 256, W, H, 0);
    expect(plain.data).to.deep.equal(reference.data);
    expect(model.data).to.deep.equal(reference.data);
    expect([plain.area, plain.bbox]).to.deep.equal([reference.area, reference.bbox]);
    let moved = 0;
    for (let i = 0; i < W * H; i++) if (image.data[i] !== reference.data[i]) moved++;
    expect(moved).to.be.above(0);
    const before = (await client.request({ type: 'stats' })).decodes;
    const rendered = await client.request({ type: 'render', imageKey: 'scene', objectId: 3, threshold: 0, maskIndex: null, edges: 'image' });
    const back = await client.request({ type: 'render', imageKey: 'scene', objectId: 3, threshold: 0, maskIndex: null, edges: 'model' });
    expect((await client.request({ type: 'stats' })).decodes).to.equal(before);
    expect(rendered.data).to.deep.equal(image.data);
    expect([rendered.area, rendered.bbox]).to.deep.equal([image.area, image.bbox]);
    expect(back.data).to.deep.equal(reference.data);
  });

  it('labels of overlapping objects with edges "image": every labelled pixel is in its own refined mask, the union is covered', async () => {
    // Two objects on the same red shape, clicked at different places: their refined masks overlap.
    const a = await decode(4, { edges: 'image' });
    const b = await client.request({ type: 'decode', modelKey, imageKey: 'scene', objectId: 5, prompts: click(0.36, 0.45, W, H), threshold: 0, maskIndex: null, edges: 'image' });
    const labels = await readPng(await client.request({ type: 'export-image', imageKey: 'scene', objectId: null, objectIds: [4, 5], kind: 'labels', format: 'image/png', crop: false, feather: 0 }));
    let overlap = 0;
    let wrong = 0;
    for (let i = 0; i < W * H; i++) {
      if (a.data[i] && b.data[i]) overlap++;
      const label = labels.samples[i];
      const expected = label === 4 ? a.data[i] : label === 5 ? b.data[i] : !a.data[i] && !b.data[i];
      if (!expected) wrong++;
    }
    expect(overlap).to.be.above(1000);
    expect(wrong).to.equal(0);
  });
});

/**
 * `edges` in the worker protocol: `model` (and no `edges` at all, as before it existed) is bit
 * for bit SAM 2's upsampled logits; `image` changes only pixels of the band, and a render from
 * the kept logits gives the same mask as the decode did (no decoder run).
 */
import { expect } from '@esm-bundle/chai';
import type { WorkerClient } from '../../src/client/worker-client.js';
import { upsampleLogitsToMaskWithStats } from '../../src/mask/upsample.js';
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
});

/**
 * Which element uses which model, as the worker sees it: a model's sessions are released when
 * the last element using it goes, and a model nobody wants any more stops downloading and is
 * never compiled. Counted with the worker's stats and the test server's log, never with timings.
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { ModelLoadDetail } from '../../src/events.js';
import type { WorkerStats } from '../../src/worker/protocol.js';
import { colourManifest, servedLog } from '../model/helpers.js';
import { loadModel, sceneBitmap, sendEncode, startWorker } from './worker-helpers.js';
import { SCENE, createSegmenter, groundTruth, iou, nextEvent, recordEvents, sceneUrl, settle } from '../helpers.js';

const [W, H] = [1000, 600];
const RED = SCENE[0];
const ZERO = { modelsHeld: 0, sessionsHeld: 0, sessionsCreated: 0, modelsLoaded: 0, imagesHeld: 0, modelBytesFromNetwork: 0 } as WorkerStats;
const stats = async (): Promise<WorkerStats> => (await testing.workerStats()) ?? ZERO;

/** Polls the worker until its stats satisfy `condition` (the releases are asynchronous). */
async function statsUntil(condition: (s: WorkerStats) => boolean, what: string): Promise<WorkerStats> {
  let last = await stats();
  for (let i = 0; i < 300 && !condition(last); i++) {
    await settle(20);
    last = await stats();
  }
  if (!condition(last)) throw new Error(`timed out waiting until ${what}: ${JSON.stringify(last)}`);
  return last;
}

describe('worker ownership of models', () => {
  afterEach(() => document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove()));

  it('sessions released after the last element goes', async () => {
    const base = await statsUntil((s) => s.sessionsHeld === 0, 'nothing held from before');
    const manifest = await colourManifest({ name: `owned-${Date.now()}` });
    const [a, b] = [createSegmenter(), createSegmenter()];
    a.model = manifest;
    b.model = manifest;
    const encodedA = nextEvent(a, 'image-encode');
    const encodedB = nextEvent(b, 'image-encode');
    a.src = await sceneUrl(W, H);
    b.src = await sceneUrl(600, 1000);
    await Promise.all([encodedA, encodedB]);
    const both = await stats();
    expect(both.modelsHeld).to.equal(1);
    expect(both.sessionsHeld).to.equal(2);
    expect(both.sessionsCreated - base.sessionsCreated).to.equal(2); // one model for both elements

    // The first element goes: its image is released, the model it shares is kept.
    a.remove();
    await statsUntil((s) => s.imagesHeld === both.imagesHeld - 1, 'the first image released');
    await settle(100);
    const one = await stats();
    expect(one.modelsHeld).to.equal(1);
    expect(one.sessionsHeld).to.equal(2);
    const kept = await b.addPoint(0.3 * 600, 0.25 * 1000);
    expect(kept).to.not.equal(null);
    expect((await stats()).sessionsCreated).to.equal(both.sessionsCreated);

    // The last one goes: both sessions are released.
    b.remove();
    const none = await statsUntil((s) => s.sessionsHeld === 0 && s.modelsHeld === 0, 'the sessions released');
    expect(none.imagesHeld).to.equal(base.imagesHeld);

    // Back in the document: the model is read from the cache again, compiled, and segments.
    const loaded = nextEvent<ModelLoadDetail>(b, 'model-load');
    const encoded = nextEvent(b, 'image-encode');
    b.src = await sceneUrl(W, H);
    document.body.append(b);
    expect((await loaded).detail.source).to.equal('cache');
    await encoded;
    const result = await b.addPoint(RED.cx * W, RED.cy * H);
    expect(iou(result!.mask!, groundTruth(W, H, [RED, SCENE[1]]))).to.be.at.least(0.97);
    const again = await stats();
    expect(again.sessionsCreated - none.sessionsCreated).to.equal(2);
    expect(again.sessionsHeld).to.equal(2);
    expect(again.modelBytesFromNetwork).to.equal(none.modelBytesFromNetwork);
  });

  it('changing model mid-download cancels the old download and compiles only the new one', async () => {
    await statsUntil((s) => s.sessionsHeld === 0, 'nothing held from before');
    const tag = Date.now();
    // The old model comes in 256-byte ranges one at a time, each slowed down by the server:
    // 5 + 27 requests, so it is certainly still downloading when the model changes.
    const slow = `rate=1000,tag=${tag}`;
    const old = await colourManifest({ name: `old-${tag}`, encoder: slow, decoder: slow, download: { rangeSize: 256, parallel: 1, stallTimeout: 20000 } });
    const fresh = await colourManifest({ name: `new-${tag}` });
    const oldPaths = (['encoder', 'decoder'] as const).map((role) => new URL(old[role].parts[0].url).pathname);
    expect(oldPaths.map((p) => p.startsWith('/__serve/'))).to.deep.equal([true, true]);
    const oldRequests = async () => {
      const log = await servedLog();
      return oldPaths.reduce((sum, path) => sum + (log[path]?.length ?? 0), 0);
    };
    const before = await stats();
    const element = createSegmenter();
    const log = recordEvents(element, ['model-load']);
    element.model = old;
    element.src = await sceneUrl(W, H);
    await nextEvent(element, 'progress');
    element.model = fresh;
    await nextEvent(element, 'image-encode');
    const result = await element.addPoint(RED.cx * W, RED.cy * H);
    expect(iou(result!.mask!, groundTruth(W, H, [RED, SCENE[1]]))).to.be.at.least(0.97);

    // Only the new model was loaded and compiled; the old one holds nothing.
    expect(log.of('model-load').map((e) => (e as CustomEvent<ModelLoadDetail>).detail.model)).to.deep.equal([fresh.name]);
    const after = await stats();
    expect(after.sessionsCreated - before.sessionsCreated).to.equal(2);
    expect(after.modelsLoaded - before.modelsLoaded).to.equal(1);
    expect(after.modelsHeld).to.equal(1);
    expect(after.sessionsHeld).to.equal(2);
    // The old download stopped: fewer requests than its ranges, and none after the switch.
    const stopped = await oldRequests();
    expect(stopped).to.be.within(1, 5 + 27 - 1);
    await settle(1000);
    expect(await oldRequests()).to.equal(stopped);
    expect((await stats()).sessionsCreated).to.equal(after.sessionsCreated);
  });

  it('removing the only element mid-download stops its download: no more requests, nothing compiled', async () => {
    await statsUntil((s) => s.sessionsHeld === 0, 'nothing held from before');
    const tag = Date.now();
    const slow = `rate=1000,tag=${tag}`;
    const manifest = await colourManifest({ name: `removed-${tag}`, encoder: slow, decoder: slow, download: { rangeSize: 256, parallel: 1, stallTimeout: 20000 } });
    const paths = (['encoder', 'decoder'] as const).map((role) => new URL(manifest[role].parts[0].url).pathname);
    const requests = async () => {
      const log = await servedLog();
      return paths.reduce((sum, path) => sum + (log[path]?.length ?? 0), 0);
    };
    const before = await stats();
    const element = createSegmenter();
    element.model = manifest;
    element.src = await sceneUrl(W, H);
    await nextEvent(element, 'progress');
    element.remove();
    // Poll until the count stops moving, then hold it: a running download adds one per range.
    let stopped = await requests();
    for (let i = 0; i < 20; i++) {
      await settle(500);
      const now = await requests();
      if (now === stopped) break;
      stopped = now;
    }
    expect(stopped).to.be.within(1, 5 + 27 - 1);
    await settle(1000);
    expect(await requests()).to.equal(stopped);
    const after = await stats();
    expect(after.sessionsCreated).to.equal(before.sessionsCreated);
    expect(after.modelsHeld).to.equal(0);
  });

  it('an encode still queued or running when its handle is released keeps nothing when it finishes', async () => {
    const client = startWorker();
    try {
      const { key } = await loadModel(client);
      const encode = sendEncode(client, key, 'gone', await sceneBitmap(320, 240));
      // Sent after the encode, answered before it runs (release-image is not queued).
      await client.request({ type: 'release-image', imageKey: 'gone' });
      await encode;
      const held = await client.request({ type: 'stats' });
      expect(held.imagesEncoded).to.equal(1);
      expect(held.imagesHeld).to.equal(0);
    } finally {
      client.terminate();
    }
  });

  it('a model change after the encode encodes again under a handle of its own, and segments', async () => {
    await statsUntil((s) => s.sessionsHeld === 0, 'nothing held from before');
    const first = await colourManifest({ name: `first-${Date.now()}` });
    const second = await colourManifest({ name: `second-${Date.now()}` });
    const element = createSegmenter();
    element.model = first;
    element.src = await sceneUrl(W, H);
    await nextEvent(element, 'image-encode');
    const reencoded = nextEvent(element, 'image-encode');
    element.model = second;
    await reencoded;
    const result = await element.addPoint(RED.cx * W, RED.cy * H);
    expect(iou(result!.mask!, groundTruth(W, H, [RED, SCENE[1]]))).to.be.at.least(0.97);
    // The first model went with its last user; one image is held, under the new model.
    const now = await statsUntil((s) => s.modelsHeld === 1, 'the first model released');
    expect(now.sessionsHeld).to.equal(2);
    expect(now.imagesHeld).to.equal(1);
  });
});

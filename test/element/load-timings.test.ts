/**
 * `model-load`'s `timings` on the WASM worker: a load from the network or the cache, a load from
 * the OPFS cache after the worker let the model go, and a load answered from the worker's memory
 * (another element holds the model). Consistency rules only (test/load-timings.ts), no speeds.
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import type { ModelLoadDetail } from '../../src/events.js';
import * as testing from '../testing.js';
import { COLOUR_MODEL, createSegmenter, nextEvent } from '../helpers.js';
import { checkLoadTimings } from '../load-timings.js';

const SLOW = { timeout: 120000 };

/** Inserts an element and waits for its model-load; the wall time from insertion to the event. */
async function load(model = COLOUR_MODEL) {
  const t0 = performance.now();
  const element = createSegmenter({ model });
  const { detail } = await nextEvent<ModelLoadDetail>(element, 'model-load', SLOW);
  return { element, detail, wallMs: performance.now() - t0 };
}

const settle = async (done: () => Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await done()); i++) await new Promise((resolve) => setTimeout(resolve, 25));
};

describe('model-load timings (WASM)', function () {
  this.timeout(180000);

  it('reports its phases: a first load, a cache-warm load, a load from the worker memory', async () => {
    const first = await load();
    expect(first.detail.backend).to.equal('wasm');
    checkLoadTimings(first.detail, first.wallMs);
    expect(first.detail.timings.sessions, 'this load created the sessions').to.be.above(0);

    // A second element while the first holds the model: answered from the worker's memory.
    const shared = await load();
    expect(shared.detail.source).to.equal('cache');
    checkLoadTimings(shared.detail, shared.wallMs);
    const { fetch, runtime, sessions } = shared.detail.timings;
    expect([fetch, runtime, sessions], 'a shared load did none of the phases').to.deep.equal([0, 0, 0]);
    shared.element.remove();
    first.element.remove();

    // Nobody uses the model: the worker lets it go; the next load reads the model cache.
    await settle(async () => (await testing.workerStats())!.modelsHeld === 0);
    const before = (await testing.workerStats())!;
    expect(before.modelsHeld).to.equal(0);
    const warm = await load();
    const after = (await testing.workerStats())!;
    expect(warm.detail.source).to.equal('cache');
    expect(after.modelBytesFromCache - before.modelBytesFromCache, 'read from the model cache').to.equal(warm.detail.bytes);
    expect(after.sessionsCreated - before.sessionsCreated).to.equal(2);
    checkLoadTimings(warm.detail, warm.wallMs);
    expect(warm.detail.timings.fetch, 'the cache read is the fetch').to.be.above(0);
    warm.element.remove();
  });
});

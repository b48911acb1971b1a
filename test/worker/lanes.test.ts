/**
 * Latest wins inside the worker: a newer queued request of a lane answers the older queued ones
 * `aborted` without running them (issue 11 item 5: 200 un-awaited addPoint calls ran 200
 * decodes). Counted with `stats.decodes`.
 */
import { expect } from '@esm-bundle/chai';
import type { WorkerClient } from '../../src/client/worker-client.js';
import { click, encodeScene, loadModel, outcome, sceneBitmap, sendEncode, startWorker } from './worker-helpers.js';

const [W, H] = [320, 240];

describe('worker: latest wins per lane', () => {
  let client: WorkerClient;
  let modelKey: string;
  const decode = (lane: string | undefined, fx: number, signal?: AbortSignal) =>
    client.request(
      { type: 'decode', modelKey, imageKey: 'a', objectId: 1, lane, prompts: click(fx, 0.42, W, H), threshold: 0, maskIndex: null },
      { signal },
    );

  before(async () => {
    client = startWorker();
    modelKey = (await loadModel(client)).key;
    await encodeScene(client, modelKey, 'a', W, H);
  });
  after(() => client.terminate());

  it('200 un-awaited decodes of one lane run at most 2 decodes; only the newest resolves', async () => {
    const before = await client.request({ type: 'stats' });
    const decodes = Array.from({ length: 200 }, (_, i) => decode('element-1/a/1', 0.2 + (i % 20) * 0.001));
    const outcomes = await Promise.all(decodes.map(outcome));
    const after = await client.request({ type: 'stats' });
    expect(outcomes.at(-1)).to.equal('resolved');
    const ran = after.decodes - before.decodes;
    expect(ran).to.be.within(1, 2);
    expect(outcomes.filter((o) => o === 'aborted').length).to.equal(200 - ran);
    expect(after.requestsSuperseded - before.requestsSuperseded).to.equal(200 - ran);
  });

  it('queued behind an encode, 20 decodes of one lane run exactly once', async () => {
    const before = await client.request({ type: 'stats' });
    const encoding = sendEncode(client, modelKey, 'b', await sceneBitmap(1600, 1200));
    const decodes = Array.from({ length: 20 }, () => decode('lane-behind', 0.32));
    const outcomes = await Promise.all(decodes.map(outcome));
    await encoding;
    const after = await client.request({ type: 'stats' });
    expect(outcomes.slice(0, -1).every((o) => o === 'aborted')).to.equal(true);
    expect(outcomes.at(-1)).to.equal('resolved');
    expect(after.decodes - before.decodes).to.equal(1);
  });

  it('lanes are independent, and requests without a lane are never superseded', async () => {
    const before = await client.request({ type: 'stats' });
    const encoding = sendEncode(client, modelKey, 'c', await sceneBitmap(1600, 1200));
    const x = [decode('x', 0.3), decode('x', 0.31)];
    const y = [decode('y', 0.3), decode('y', 0.31)];
    const free = [decode(undefined, 0.3), decode(undefined, 0.31)];
    const outcomes = await Promise.all([...x, ...y, ...free].map(outcome));
    await encoding;
    expect(outcomes).to.deep.equal(['aborted', 'resolved', 'aborted', 'resolved', 'resolved', 'resolved']);
    expect((await client.request({ type: 'stats' })).decodes - before.decodes).to.equal(4);
  });

  it('a queued request cancelled by the page never runs', async () => {
    const before = await client.request({ type: 'stats' });
    const encoding = sendEncode(client, modelKey, 'd', await sceneBitmap(1600, 1200));
    const controller = new AbortController();
    const cancelled = outcome(decode(undefined, 0.3, controller.signal));
    controller.abort();
    expect(await cancelled).to.equal('aborted');
    await encoding;
    await decode(undefined, 0.3);
    expect((await client.request({ type: 'stats' })).decodes - before.decodes).to.equal(1);
  });
});

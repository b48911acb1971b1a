/**
 * Where the worker comes from, and what happens when it can't start: a base set by the page is
 * honoured by an element already in the markup; a worker URL that answers HTML or 404 is tried
 * once and reported with its URL and the reason; a script that throws is restarted a bounded
 * number of times, then given up; a running worker that keeps crashing is given up too.
 */
import { expect } from '@esm-bundle/chai';
import type { ErrorDetail } from '../../src/events.js';
import { closeFrames, openFrame, requestCounts, resetRequestCounts, sleep, until } from './helpers.js';

const modelLoads = (record: { events: Array<{ type: string }> }) => record.events.filter((e) => e.type === 'model-load').length;
const finalError = (record: { errors: ErrorDetail[] }) => record.errors.find((e) => !e.recoverable);

describe('worker location and start-up failures', () => {
  beforeEach(resetRequestCounts);
  afterEach(closeFrames);

  it('honours Sam2Segmenter.basePath set after the element in the markup upgraded, before its first load', async () => {
    const { api, record } = await openFrame('/test/hosting/frame.html?base=/__mirror/property/');
    await until(() => record.events.some((e) => e.type === 'image-encode') || record.errors[0], 'image-encode');
    expect(record.errors).to.deep.equal([]);
    expect(await api.segment()).to.be.at.least(0.97);
    const counts = await requestCounts();
    expect(counts['/__mirror/property/sam2.worker.js']).to.be.at.least(1);
    expect(counts['/__mirror/property/ort-wasm-simd-threaded.wasm']).to.be.at.least(1);
    expect(counts['/dist/sam2.worker.js'] ?? 0).to.equal(0);
  });

  it('honours data-sam2-base on the script tag', async () => {
    const { api, record } = await openFrame('/test/hosting/frame-attribute.html');
    await until(() => record.events.some((e) => e.type === 'image-encode') || record.errors[0], 'image-encode');
    expect(record.errors).to.deep.equal([]);
    expect(await api.segment()).to.be.at.least(0.97);
    const counts = await requestCounts();
    expect(counts['/__mirror/attribute/sam2.worker.js']).to.be.at.least(1);
    expect(counts['/__mirror/attribute/ort-wasm-simd-threaded.wasm']).to.be.at.least(1);
    expect(counts['/dist/sam2.worker.js'] ?? 0).to.equal(0);
  });

  it('tries a worker URL that answers with an HTML page once, and names the URL and the content type', async () => {
    const { api, record } = await openFrame('/test/hosting/frame.html?base=/__html/app/');
    const error = await until(() => finalError(record), 'a final error');
    expect(error.code).to.equal('worker-crashed');
    expect(error.message).to.contain(`${location.origin}/__html/app/sam2.worker.js`);
    expect(error.message).to.contain('text/html');
    // Longer than the first restart delay: nothing starts it again.
    await sleep(1500);
    expect(api.element.status).to.equal('error');
    expect(api.testing.workerStarts()).to.equal(1);
    // The start and one look at what the URL serves.
    expect((await requestCounts())['/__html/app/sam2.worker.js']).to.equal(2);
    expect(record.errors.filter((e) => e.code === 'worker-crashed')).to.have.length(1);
  });

  it('tries a worker URL that answers 404 once, and says so', async () => {
    const { api, record } = await openFrame('/test/hosting/frame.html?base=/__fail/404/app/');
    const error = await until(() => finalError(record), 'a final error');
    expect(error.code).to.equal('worker-crashed');
    expect(error.message).to.contain(`${location.origin}/__fail/404/app/sam2.worker.js`);
    expect(error.message).to.contain('HTTP 404');
    await sleep(1500);
    expect(api.element.status).to.equal('error');
    expect(api.testing.workerStarts()).to.equal(1);
    expect((await requestCounts())['/__fail/404/app/sam2.worker.js']).to.equal(2);
  });

  it('restarts a worker script that throws 3 times with growing delays, then gives up', async () => {
    const started = performance.now();
    const { api, record } = await openFrame('/test/hosting/frame.html?base=/__throws/app/');
    const error = await until(() => finalError(record), 'a final error', 30_000);
    const seconds = (performance.now() - started) / 1000;
    expect(error.code).to.equal('worker-crashed');
    expect(error.message).to.contain(`${location.origin}/__throws/app/sam2.worker.js`);
    expect(error.message).to.contain('crashed 4 times within a minute');
    // The restart delays (0.25 + 1 + 4 s) are waited, not skipped.
    expect(seconds).to.be.at.least(5.25);
    await sleep(1500);
    expect(api.element.status).to.equal('error');
    // 4 starts: it is JavaScript (a look at the URL says so), so each failure counted as a crash.
    expect(api.testing.workerStarts()).to.equal(4);
    expect(record.errors.map((e) => e.recoverable)).to.deep.equal([true, true, true, false]);
  });

  it('gives up a running worker that crashed a fourth time within a minute', async () => {
    const { api, record } = await openFrame('/test/hosting/frame.html');
    await until(() => modelLoads(record) === 1 || record.errors[0], 'model-load');
    for (let crash = 1; crash <= 3; crash++) {
      api.testing.simulateWorkerCrash();
      // The element reloads its model in a new worker after each crash.
      await until(() => modelLoads(record) === crash + 1, `model-load after crash ${crash}`, 30_000);
    }
    expect(record.errors.map((e) => [e.code, e.recoverable])).to.deep.equal([
      ['worker-crashed', true],
      ['worker-crashed', true],
      ['worker-crashed', true],
    ]);
    api.testing.simulateWorkerCrash();
    const error = await until(() => finalError(record), 'a final error');
    expect(error.code).to.equal('worker-crashed');
    expect(error.message).to.contain('crashed 4 times within a minute');
    await sleep(1500);
    expect(modelLoads(record)).to.equal(4);
    expect(api.testing.workerStarts()).to.equal(4);
    expect(api.element.status).to.equal('error');
  });
});

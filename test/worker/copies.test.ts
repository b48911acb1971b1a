/**
 * No full-size mask crosses the thread boundary by copy: on a 12 MP image, a click's mask is
 * transferred worker → page (the worker keeps its own copy), and exports by handle send no mask
 * page → worker. Measured on both sides: the page's postMessage calls (typed-array bytes not in
 * the transfer list) and the worker's own count (`stats.bytesClonedToPage`).
 */
import { expect } from '@esm-bundle/chai';
import type { WorkerClient } from '../../src/client/worker-client.js';
import { click, encodeScene, loadModel, startWorker } from './worker-helpers.js';

/** Typed-array / ArrayBuffer bytes of a message that a structured clone copies. */
function clonedBytes(value: unknown, transfer: readonly unknown[], seen = new Set<unknown>()): number {
  if (typeof value !== 'object' || value === null || seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return transfer.includes(value.buffer) ? 0 : value.byteLength;
  if (value instanceof ArrayBuffer) return transfer.includes(value) ? 0 : value.byteLength;
  let sum = 0;
  for (const field of Object.values(value)) sum += clonedBytes(field, transfer, seen);
  return sum;
}

describe('worker: no full-size mask is copied between threads (12 MP)', () => {
  const [W, H] = [4000, 3000];
  let client: WorkerClient;
  let modelKey: string;
  let sentCloned = 0;
  let sentTotal = 0;
  const original = Worker.prototype.postMessage;

  before(async () => {
    Worker.prototype.postMessage = function (this: Worker, message: unknown, options?: StructuredSerializeOptions | Transferable[]) {
      const transfer = Array.isArray(options) ? options : (options?.transfer ?? []);
      sentCloned += clonedBytes(message, transfer);
      sentTotal += clonedBytes(message, []);
      return (original as (this: Worker, message: unknown, options?: unknown) => void).call(this, message, options);
    } as typeof Worker.prototype.postMessage;
    client = startWorker();
    modelKey = (await loadModel(client)).key;
    await encodeScene(client, modelKey, 'big', W, H);
  });
  after(() => {
    Worker.prototype.postMessage = original;
    client.terminate();
  });

  it('a click and every export by handle copy no mask either way', async () => {
    const stats0 = await client.request({ type: 'stats' });
    sentCloned = 0;
    sentTotal = 0;
    const result = await client.request({
      type: 'decode',
      modelKey,
      imageKey: 'big',
      objectId: 1,
      prompts: click(0.32, 0.42, W, H),
      threshold: 0,
      maskIndex: null,
      preview: { width: 800, height: 600 },
    });
    expect(result.data.byteLength).to.equal(W * H);
    const exportsByHandle = [
      client.request({ type: 'export-image', imageKey: 'big', objectId: 1, kind: 'mask', format: 'image/png', crop: false, feather: 0 }),
      client.request({ type: 'export-image', imageKey: 'big', objectId: 1, kind: 'cutout', format: 'image/png', crop: true, feather: 0 }),
      client.request({ type: 'export-image', imageKey: 'big', objectId: null, kind: 'labels', format: 'image/png', crop: false, feather: 0 }),
      client.request({ type: 'coco-rle', imageKey: 'big', objectId: 1 }),
      client.request({ type: 'render', imageKey: 'big', objectId: 1, threshold: 2, maskIndex: null }),
    ];
    const [maskPng, , labelsPng, rle] = await Promise.all(exportsByHandle);
    expect((maskPng as Blob).size).to.be.greaterThan(1000);
    expect((labelsPng as Blob).size).to.be.greaterThan(100);
    // The worker kept its own copy: zeroing the page's mask changes nothing the worker exports.
    const area = result.area;
    result.data.fill(0);
    expect((rle as { area: number }).area).to.equal(area);
    expect((await client.request({ type: 'coco-rle', imageKey: 'big', objectId: 1 })).area).to.be.greaterThan(0);
    const stats1 = await client.request({ type: 'stats' });
    // Page → worker: prompts and options only (no logits, no masks; the requests had no arrays).
    expect(sentTotal).to.equal(0);
    expect(sentCloned).to.equal(0);
    // Worker → page: the 12 MB mask, the preview, the render and the logits were all transferred.
    expect(stats1.bytesClonedToPage - stats0.bytesClonedToPage).to.equal(0);
    expect(stats1.decodes - stats0.decodes).to.equal(1);
  });

  it('(the measure works: a v1 export that sends the mask counts its 12 MB)', async () => {
    const result = await client.request({ type: 'decode', modelKey, imageKey: 'big', objectId: 2, prompts: click(0.32, 0.42, W, H), threshold: 0, maskIndex: null });
    sentCloned = 0;
    const mask = { width: result.width, height: result.height, data: result.data };
    await client.request({ type: 'export-image', imageKey: 'big', mask, kind: 'mask', format: 'image/png', crop: false, feather: 0 });
    expect(sentCloned).to.equal(W * H);
  });
});

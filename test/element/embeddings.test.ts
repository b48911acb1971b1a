import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { ErrorDetail } from '../../src/events.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { SCENE, createSegmenter, groundTruth, iou, nextEvent, sceneBlob, settle } from '../helpers.js';

const Segmenter = customElements.get('sam2-segmenter') as unknown as typeof Sam2Segmenter;
const ROOT = 'sam2-segmenter-embeddings';

/** The stored embeddings, read from the page's side of OPFS: entry name → chunk name → size. */
async function storedEntries(): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  const origin = await navigator.storage.getDirectory();
  let root: FileSystemDirectoryHandle;
  try {
    root = await origin.getDirectoryHandle(ROOT);
  } catch {
    return out;
  }
  for await (const [name, handle] of (root as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind !== 'directory') continue;
    const chunks = new Map<string, number>();
    try {
      for await (const [chunk, file] of (handle as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        if (file.kind === 'file') chunks.set(chunk, (await (file as FileSystemFileHandle).getFile()).size);
      }
    } catch (error) {
      // The worker may rename (.tmp → chunk) or remove a file while we list: Firefox then
      // throws NotFoundError. Such an entry is being written: read it again next time.
      if ((error as Error).name !== 'NotFoundError') throw error;
      continue;
    }
    out.set(name, chunks);
  }
  return out;
}

/** Waits until a complete entry (with its meta chunk) appears that was not in `before`. */
async function newEntry(before: Map<string, unknown>): Promise<string> {
  for (let i = 0; i < 200; i++) {
    for (const [name, chunks] of await storedEntries()) if (!before.has(name) && chunks.has('meta')) return name;
    await settle(25);
  }
  throw new Error('no embedding was stored');
}

/** Crashes the worker and resolves once the element has encoded its image again in a new one. */
async function restartWorker(element: Sam2Segmenter) {
  const crashed = nextEvent<ErrorDetail>(element, 'error');
  const reencoded = nextEvent<{ width: number; height: number }>(element, 'image-encode', { allowErrors: true });
  testing.simulateWorkerCrash();
  expect((await crashed).detail.code).to.equal('worker-crashed');
  return reencoded;
}

describe('<sam2-segmenter> embeddings on disk', () => {
  afterEach(() => document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove()));

  it('a new worker answers an image seen before from OPFS, without running the encoder', async () => {
    const [width, height] = [1000, 600];
    const before = await storedEntries();
    const element = createSegmenter();
    // An object URL: the memory cache keys it by URL, the disk by a hash of its bytes.
    element.src = URL.createObjectURL(await sceneBlob(width, height, [SCENE[0], SCENE[2]]));
    await nextEvent(element, 'image-encode');
    const entry = await newEntry(before);
    const chunks = (await storedEntries()).get(entry)!;
    // Three feature maps of the fixture encoder (float32) and the meta chunk.
    expect([...chunks.keys()].sort()).to.deep.equal(['meta', 't0', 't1', 't2']);

    const { detail } = await restartWorker(element);
    expect(detail).to.include({ width, height });
    const stats = (await testing.workerStats())!;
    expect(stats.embeddingDiskHits).to.equal(1);
    expect(stats.imagesEncoded).to.equal(0);
    const result = await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
    expect(iou(result!.mask!, groundTruth(width, height, [SCENE[0]]))).to.be.at.least(0.97);
  });

  it('a truncated stored embedding is never used: the image is encoded again and stored afresh', async () => {
    const [width, height] = [900, 700];
    const before = await storedEntries();
    const element = createSegmenter();
    element.src = URL.createObjectURL(await sceneBlob(width, height, [SCENE[0], SCENE[2]]));
    await nextEvent(element, 'image-encode');
    const entry = await newEntry(before);
    // Cut the largest tensor chunk in half, as a crash mid-write on another path might.
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT)).getDirectoryHandle(entry);
    const chunks = (await storedEntries()).get(entry)!;
    const [victim, size] = [...chunks].filter(([name]) => name !== 'meta').sort((a, b) => b[1] - a[1])[0];
    const writable = await (await dir.getFileHandle(victim)).createWritable({ keepExistingData: true });
    await writable.truncate(Math.floor(size / 2));
    await writable.close();

    await restartWorker(element);
    const stats = (await testing.workerStats())!;
    expect(stats.embeddingDiskHits).to.equal(0);
    expect(stats.imagesEncoded).to.equal(1);
    const result = await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
    expect(iou(result!.mask!, groundTruth(width, height, [SCENE[0]]))).to.be.at.least(0.97);
    // Stored again, whole.
    for (let i = 0; i < 200 && (await storedEntries()).get(entry)?.get(victim) !== size; i++) await settle(25);
    expect((await storedEntries()).get(entry)?.get(victim)).to.equal(size);
  });

  it('a stored embedding whose bytes were zeroed (same size) is never used: encoded again, the mask is right', async () => {
    const [width, height] = [900, 640];
    const before = await storedEntries();
    const element = createSegmenter();
    element.src = URL.createObjectURL(await sceneBlob(width, height, [SCENE[0], SCENE[2]]));
    await nextEvent(element, 'image-encode');
    const entry = await newEntry(before);
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT)).getDirectoryHandle(entry);
    // Zero the first half of every feature map: the colours the fixture decoder compares are
    // gone, sizes and the meta chunk are untouched.
    for (const [name, size] of (await storedEntries()).get(entry)!) {
      if (name === 'meta') continue;
      const writable = await (await dir.getFileHandle(name)).createWritable({ keepExistingData: true });
      await writable.write({ type: 'write', position: 0, data: new Uint8Array(Math.floor(size / 2)) });
      await writable.close();
    }

    await restartWorker(element);
    const stats = (await testing.workerStats())!;
    expect(stats.embeddingDiskHits).to.equal(0);
    expect(stats.embeddingsRejected).to.equal(1);
    expect(stats.imagesEncoded).to.equal(1);
    const result = await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
    expect(iou(result!.mask!, groundTruth(width, height, [SCENE[0]]))).to.be.at.least(0.97);
  });

  it('embedding-cache="memory" stores nothing on disk, "none" encodes every time', async () => {
    const [width, height] = [800, 640];
    const blob = await sceneBlob(width, height, [SCENE[2], SCENE[0]]);
    const before = await storedEntries();
    const element = createSegmenter();
    element.embeddingCache = 'memory';
    element.src = URL.createObjectURL(blob);
    await nextEvent(element, 'image-encode');
    await settle(500);
    expect([...(await storedEntries()).keys()].filter((name) => !before.has(name))).to.have.length(0);

    element.embeddingCache = 'none';
    const stats0 = (await testing.workerStats())!;
    element.image = blob; // the same bytes again
    await nextEvent(element, 'image-encode');
    const stats1 = (await testing.workerStats())!;
    expect(stats1.imagesEncoded).to.equal(stats0.imagesEncoded + 1);
    expect(stats1.embeddingCacheHits).to.equal(stats0.embeddingCacheHits);
  });

  it('clearCache() removes the stored embeddings too', async () => {
    const [width, height] = [700, 500];
    const before = await storedEntries();
    const element = createSegmenter();
    element.src = URL.createObjectURL(await sceneBlob(width, height, [SCENE[1]]));
    await nextEvent(element, 'image-encode');
    await newEntry(before);
    await Segmenter.clearCache();
    expect((await storedEntries()).size).to.equal(0);
  });
});

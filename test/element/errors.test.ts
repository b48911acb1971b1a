import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { ErrorDetail, MaskChangeDetail } from '../../src/events.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { COLOUR_MODEL, FIXTURES, SCENE, createSegmenter, groundTruth, iou, nextEvent, sceneUrl } from '../helpers.js';


async function manifestWith(change: (m: Record<string, any>) => void) {
  const manifest = await (await fetch(COLOUR_MODEL)).json();
  for (const role of ['encoder', 'decoder']) {
    for (const part of manifest[role].parts) part.url = new URL(part.url, FIXTURES).href;
  }
  change(manifest);
  return manifest;
}

/** After an error, the element must still segment once given good input. */
async function expectUsable(element: Sam2Segmenter, width = 1000, height = 600) {
  if (!element.imageSize) await nextEvent(element, 'image-encode');
  const result = await element.segment({ points: [{ x: SCENE[0].cx * width, y: SCENE[0].cy * height, label: 1 }] });
  expect(iou(result.mask!, groundTruth(width, height, [SCENE[0], SCENE[1]]))).to.be.at.least(0.97);
  expect(element.status).to.equal('ready');
}

describe('<sam2-segmenter> errors', () => {
  afterEach(() => document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove()));

  it('a broken image URL fires image-load-failed, then a good image works', async () => {
    const element = createSegmenter();
    const error = nextEvent<ErrorDetail>(element, 'error');
    element.src = '/__fail/404/missing.png';
    const { detail } = await error;
    expect(detail.code).to.equal('image-load-failed');
    expect(detail.recoverable).to.equal(true);
    expect(detail.message).to.match(/404/);
    expect(element.status).to.equal('error');
    const rejected = await element.segment({ points: [{ x: 1, y: 1, label: 1 }] }).catch((e) => e);
    expect(rejected.code).to.equal('image-load-failed');
    element.src = await sceneUrl(1000, 600);
    await expectUsable(element);
  });

  it('bytes that are not an image fire image-load-failed', async () => {
    const element = createSegmenter();
    const error = nextEvent<ErrorDetail>(element, 'error');
    element.src = COLOUR_MODEL; // JSON, not an image
    expect((await error).detail.code).to.equal('image-load-failed');
  });

  it('error events do not bubble', async () => {
    const element = createSegmenter();
    let bubbled = 0;
    const onDocumentError = (event: Event) => {
      if (event.target === element) bubbled++;
    };
    document.addEventListener('error', onDocumentError);
    const error = nextEvent<ErrorDetail>(element, 'error');
    element.src = '/__fail/404/missing.png';
    await error;
    document.removeEventListener('error', onDocumentError);
    expect(bubbled).to.equal(0);
  });

  it('a broken model URL fires model-fetch-failed, then a good model works', async () => {
    const element = createSegmenter({ model: '/__fail/404/manifest.json' });
    const error = nextEvent<ErrorDetail>(element, 'error');
    element.src = await sceneUrl(1000, 600);
    const { detail } = await error;
    expect(detail.code).to.equal('model-fetch-failed');
    expect(element.status).to.equal('error');
    element.model = COLOUR_MODEL;
    await expectUsable(element);
  });

  it('a model file that fails to download fires model-fetch-failed', async () => {
    const manifest = await manifestWith((m) => (m.encoder.parts[0].url = new URL('/__fail/500/encoder.onnx', location.origin).href));
    const element = createSegmenter();
    element.model = manifest;
    const error = nextEvent<ErrorDetail>(element, 'error');
    element.src = await sceneUrl(1000, 600);
    const { detail } = await error;
    expect(detail.code).to.equal('model-fetch-failed');
    expect(detail.message).to.match(/500/);
  });

  it('a file that does not match its SHA-256 fires model-integrity and is never loaded', async () => {
    const manifest = await manifestWith((m) => (m.decoder.parts[0].sha256 = m.decoder.parts[0].sha256.replace(/^./, (c: string) => (c === '0' ? '1' : '0'))));
    const element = createSegmenter();
    element.model = manifest;
    const error = nextEvent<ErrorDetail>(element, 'error');
    element.src = await sceneUrl(1000, 600);
    expect((await error).detail.code).to.equal('model-integrity');
  });

  it('a corrupt model file fires model-contract', async () => {
    const element = createSegmenter({ model: `${FIXTURES}corrupt.manifest.json` });
    const error = nextEvent<ErrorDetail>(element, 'error');
    element.src = await sceneUrl(1000, 600);
    const { detail } = await error;
    expect(detail.code).to.equal('model-contract');
    expect(detail.message).to.match(/encoder/);
  });

  it('a model with the wrong tensors fires model-contract naming what is missing', async () => {
    const element = createSegmenter({ model: `${FIXTURES}bad-contract.manifest.json` });
    const error = nextEvent<ErrorDetail>(element, 'error');
    element.src = await sceneUrl(1000, 600);
    const { detail } = await error;
    expect(detail.code).to.equal('model-contract');
    expect(detail.message).to.contain('"image"');
    element.model = COLOUR_MODEL;
    await expectUsable(element);
  });

  it('methods reject with a typed error for bad arguments', async () => {
    const element = createSegmenter();
    element.src = await sceneUrl(1000, 600);
    await nextEvent(element, 'image-encode');
    const error = await element.addPoint(Number.NaN, 3).catch((e) => e);
    expect(error.name).to.equal('Sam2Error');
    expect(error.code).to.equal('invalid-argument');
    const noCandidates = await element.selectMask(1).catch((e) => e);
    expect(noCandidates.code).to.equal('not-ready');
  });

  it('recovers from a crashed worker: error event, then masks again', async () => {
    const [width, height] = [1000, 600];
    const element = createSegmenter();
    element.src = await sceneUrl(width, height);
    await nextEvent(element, 'image-encode');
    await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
    const crashed = nextEvent<ErrorDetail>(element, 'error');
    const reencoded = nextEvent(element, 'image-encode', { allowErrors: true });
    const remasked = nextEvent<MaskChangeDetail>(element, 'mask-change', { allowErrors: true });
    testing.simulateWorkerCrash();
    const { detail } = await crashed;
    expect(detail.code).to.equal('worker-crashed');
    expect(detail.recoverable).to.equal(true);
    await reencoded;
    // The prompts survive the crash and are decoded again in the new worker.
    const { detail: mask } = await remasked;
    expect(iou(mask.mask!, groundTruth(width, height, [SCENE[0], SCENE[1]]))).to.be.at.least(0.97);
    expect(element.status).to.equal('ready');
    const stats = await testing.workerStats();
    expect(stats!.sessionsCreated).to.equal(2); // the new worker made its own, once
  });
});

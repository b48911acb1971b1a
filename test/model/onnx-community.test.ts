/**
 * Presets in the onnx-community (Transformers.js) layout, served like Hugging Face (a 302 to a CDN
 * on another origin, Range requests): exact points-only and box-only prompts, precision variants
 * and their fallback, `model-unknown`, one manifest probe, mirrors side by side in the cache.
 * Fixtures: test/fixtures/build-onnx-community.mjs (the colour model with SAM 2's prompt tokens;
 * its outputs are NaN unless the decoder sees exactly SAM 2's tokens).
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import type { ErrorDetail, ModelLoadDetail } from '../../src/events.js';
import type { BinaryMask } from '../../src/mask/types.js';
import { MODEL_PRESETS, presetRevision, resolveModel } from '../../src/model/presets.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { COLOUR_MODEL, SCENE, createSegmenter, groundTruth, iou, nextEvent, requestCounts, resetRequestCounts, sceneUrl } from '../helpers.js';
import { closeTabs, openTab, segmenterClass } from './helpers.js';

const Segmenter = segmenterClass();
/** A Hugging Face-like host without `{revision}`: checked by the sizes it serves. */
const HF = `${location.origin}/__hf/onnx-community/{repo}/resolve/main/`;
const FILES = '/test/fixtures/generated/hf/onnx-community/';
const [WIDTH, HEIGHT] = [400, 240];

async function loaded(element: Sam2Segmenter): Promise<ModelLoadDetail> {
  return (await nextEvent<ModelLoadDetail>(element, 'model-load')).detail;
}

async function presetElement(options: { model?: string; precision?: string; base?: string } = {}) {
  const element = document.createElement('sam2-segmenter');
  element.loading = 'eager';
  element.modelBase = options.base ?? HF;
  if (options.precision) element.setAttribute('precision', options.precision);
  element.model = options.model ?? 'tiny';
  const load = loaded(element);
  document.body.append(element);
  const detail = await load;
  const encoded = nextEvent(element, 'image-encode');
  element.src = await sceneUrl(WIDTH, HEIGHT);
  await encoded;
  return { element, detail };
}

const sameMask = (a: BinaryMask, b: BinaryMask) => a.width === b.width && a.height === b.height && a.data.every((v, i) => v === b.data[i]);
/** Model files the CDN served, by file name. */
async function servedFiles(repo: string): Promise<string[]> {
  const counts = await requestCounts();
  return Object.keys(counts)
    .filter((path) => path.startsWith(`/__serve/-${FILES}${repo}/onnx/`))
    .map((path) => path.slice(path.lastIndexOf('/') + 1))
    .sort();
}

describe('onnx-community presets (served like Hugging Face)', function () {
  this.timeout(180000);
  beforeEach(async () => {
    await Segmenter.clearCache();
    await resetRequestCounts();
  });
  afterEach(async () => {
    document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove());
    closeTabs();
    await Segmenter.clearCache();
  });

  it('each preset resolves to its repository at its pinned revision, tiny with its published sizes and hashes', async () => {
    const repos = { tiny: 'sam2.1-hiera-tiny-ONNX', small: 'sam2.1-hiera-small-ONNX', 'base-plus': 'sam2.1-hiera-base-plus-ONNX', large: 'sam2.1-hiera-large-ONNX', edgetam: 'EdgeTAM-ONNX' };
    expect([...MODEL_PRESETS]).to.deep.equal(Object.keys(repos));
    for (const preset of MODEL_PRESETS) {
      const manifest = await resolveModel(preset, null, location.href, undefined, 'fp32');
      const folder = `https://huggingface.co/onnx-community/${repos[preset]}/resolve/${presetRevision(preset)}/onnx/`;
      expect(manifest.encoder.parts[0].url).to.equal(`${folder}vision_encoder.onnx`);
      expect(manifest.encoder.externalData![0].parts[0].url).to.equal(`${folder}vision_encoder.onnx_data`);
      expect(manifest.decoder.parts[0].url).to.equal(`${folder}prompt_encoder_mask_decoder.onnx`);
      expect(manifest.contract).to.equal('onnx-community');
    }
    expect(presetRevision('tiny')).to.equal('814a066640debee5a91e70aa401fb8e17e030503');
    const tiny = await resolveModel('tiny', null, location.href, undefined, 'fp32');
    expect(tiny.encoder).to.deep.include({ bytes: 354238, sha256: '4f30aacd3aaefbca81a0b7fe4c1fc96345570ea0a6f80ced599493d1b3be2e8c' });
    expect(tiny.encoder.externalData![0]).to.deep.include({ path: 'vision_encoder.onnx_data', bytes: 134084864 });
    expect(tiny.decoder.externalData![0].sha256).to.equal('e9874d900dd4134ed60eab1e97910327c2419e0b2954485d8fd6e7f1a1470f47');
    const fp16 = await resolveModel('tiny', null, location.href, undefined, 'fp16');
    expect(fp16.encoder).to.deep.include({ bytes: 314925, sha256: '7773e79d589dada8e1e630cc7eb18b17b2c5b4faeb1eaab5ebf9df618ecbd50a' });
    // Nothing known about the fp16 decoder's files: none made up.
    expect(fp16.decoder.bytes).to.equal(undefined);
    const q8 = await resolveModel('edgetam', null, location.href, undefined, 'q8');
    expect(q8.encoder.parts[0].url).to.match(/EdgeTAM-ONNX\/resolve\/main\/onnx\/vision_encoder_quantized\.onnx$/);
    expect(q8.encoder.externalData).to.equal(undefined);
    expect(Object.keys(await requestCounts())).to.deep.equal([]);
    // A template with {revision} serves the pinned files (sizes and hashes apply); one without does not.
    const pinned = await resolveModel('tiny', `${location.origin}/__hf/onnx-community/{repo}/resolve/{revision}/`, location.href, undefined, 'fp32');
    expect(pinned.encoder.parts[0]).to.deep.include({
      url: `${location.origin}/__hf/onnx-community/sam2.1-hiera-tiny-ONNX/resolve/814a066640debee5a91e70aa401fb8e17e030503/onnx/vision_encoder.onnx`,
      bytes: 354238,
    });
    const unpinned = await resolveModel('tiny', HF, location.href, undefined, 'fp32');
    expect(unpinned.encoder.parts[0].bytes).to.equal(undefined);
  });

  it('points-only clicks decode exactly SAM 2\'s tokens (points + padding, no box) and identically every time', async () => {
    const { element, detail } = await presetElement();
    expect(detail.model).to.equal('sam2.1-hiera-tiny');
    const click = { x: SCENE[0].cx * WIDTH, y: SCENE[0].cy * HEIGHT };
    const masks: BinaryMask[] = [];
    for (let i = 0; i < 20; i++) {
      element.clear();
      const result = await element.addPoint(click.x, click.y);
      expect(result!.scores.every(Number.isFinite), 'no NaN scores').to.equal(true);
      masks.push(result!.mask!);
    }
    expect(masks.every((m) => sameMask(m, masks[0])), '20 identical decodes').to.equal(true);
    // The red ellipse and its red twin (the colour fixture's semantics), as the samexporter export gives.
    expect(iou(masks[0], groundTruth(WIDTH, HEIGHT, [SCENE[0], SCENE[1]]))).to.be.at.least(0.97);
    const three = await element.setPrompts({ points: [{ ...click, label: 1 }, { x: SCENE[1].cx * WIDTH, y: SCENE[1].cy * HEIGHT, label: 0 }, { x: 5, y: 5, label: 0 }] });
    const reference = createSegmenter({ model: COLOUR_MODEL });
    const encoded = nextEvent(reference, 'image-encode');
    reference.src = element.src;
    await encoded;
    const expected = await reference.setPrompts({ points: [{ ...click, label: 1 }, { x: SCENE[1].cx * WIDTH, y: SCENE[1].cy * HEIGHT, label: 0 }, { x: 5, y: 5, label: 0 }] });
    expect(three!.area).to.be.above(0);
    expect(sameMask(three!.mask!, expected!.mask!), '3 points: as the samexporter export').to.equal(true);
  });

  it('a box alone is sent with zero points (the box carries SAM 2\'s padding token), a box with clicks as is', async () => {
    const { element } = await presetElement();
    const box = { x1: 20, y1: 20, x2: 250, y2: 200 };
    const boxOnly = await element.setBox(box);
    expect(boxOnly!.scores.every(Number.isFinite)).to.equal(true);
    const reference = createSegmenter({ model: COLOUR_MODEL });
    const encoded = nextEvent(reference, 'image-encode');
    reference.src = element.src;
    await encoded;
    expect(sameMask(boxOnly!.mask!, (await reference.setBox(box))!.mask!)).to.equal(true);
    const withPoint = await element.addPoint(SCENE[0].cx * WIDTH, SCENE[0].cy * HEIGHT);
    const expected = await reference.addPoint(SCENE[0].cx * WIDTH, SCENE[0].cy * HEIGHT);
    expect(withPoint!.area).to.be.above(0);
    expect(sameMask(withPoint!.mask!, expected!.mask!)).to.equal(true);
  });

  it('precision picks the variant files: _fp16 with their data, _quantized single files; model-load reports precision and bytes', async () => {
    const fp16 = await presetElement({ precision: 'fp16' });
    expect(fp16.detail).to.include({ precision: 'fp16', decoderPrecision: 'fp16', bytes: 1465 + 4096 + 7082 + 6144 });
    expect(await servedFiles('sam2.1-hiera-tiny-ONNX')).to.deep.equal([
      'prompt_encoder_mask_decoder_fp16.onnx', 'prompt_encoder_mask_decoder_fp16.onnx_data', 'vision_encoder_fp16.onnx', 'vision_encoder_fp16.onnx_data',
    ]);
    expect((await fp16.element.addPoint(SCENE[0].cx * WIDTH, SCENE[0].cy * HEIGHT))!.area).to.be.above(0);
    await resetRequestCounts();
    const q8 = await presetElement({ model: 'edgetam', precision: 'q8' });
    expect(q8.detail).to.include({ model: 'edgetam', precision: 'q8', bytes: 5491 + 12971 });
    expect(await servedFiles('EdgeTAM-ONNX')).to.deep.equal(['prompt_encoder_mask_decoder_quantized.onnx', 'vision_encoder_quantized.onnx']);
    // On WASM, auto loads fp32.
    await resetRequestCounts();
    const auto = await presetElement({ model: 'edgetam' });
    expect(auto.detail).to.include({ precision: 'fp32', decoderPrecision: 'fp32', bytes: 1460 + 4096 + 7067 + 6144 });
  });

  it('an fp16 model whose sessions fail to create falls back to fp32', async () => {
    const { element, detail } = await presetElement({ model: 'small', precision: 'fp16' });
    expect(detail).to.include({ precision: 'fp32', decoderPrecision: 'fp32' });
    const files = await servedFiles('sam2.1-hiera-small-ONNX');
    expect(files).to.include('vision_encoder_fp16.onnx');
    expect(files).to.include.members(['vision_encoder.onnx', 'vision_encoder.onnx_data', 'prompt_encoder_mask_decoder.onnx', 'prompt_encoder_mask_decoder.onnx_data']);
    expect((await element.addPoint(SCENE[0].cx * WIDTH, SCENE[0].cy * HEIGHT))!.area).to.be.above(0);
  });

  it('a model name that is no preset fails at once with model-unknown, without a request, even when lazy', async () => {
    const element = document.createElement('sam2-segmenter');
    element.model = 'tinny'; // lazy (default) and off screen: nothing would load yet
    element.style.cssText = 'position: absolute; top: 5000px';
    const failed = nextEvent<ErrorDetail>(element, 'error');
    document.body.append(element);
    const { detail } = await failed;
    expect(detail.code).to.equal('model-unknown');
    expect(detail.recoverable).to.equal(true);
    for (const preset of MODEL_PRESETS) expect(detail.message).to.contain(preset);
    await element.updateComplete;
    expect(element.status).to.equal('error');
    element.src = await sceneUrl(WIDTH, HEIGHT);
    let rejection: unknown = null;
    await element.addPoint(10, 10).catch((error) => (rejection = error));
    expect((rejection as { code?: string })?.code).to.equal('model-unknown');
    expect(Object.keys(await requestCounts()).filter((p) => !p.startsWith('/__requests'))).to.deep.equal([]);
    // Recoverable: a valid model makes the element usable.
    element.loading = 'eager';
    element.model = COLOUR_MODEL;
    await nextEvent(element, 'image-encode');
    expect((await element.addPoint(SCENE[0].cx * WIDTH, SCENE[0].cy * HEIGHT))!.area).to.be.above(0);
  });

  it('a mirror is probed for manifest.json once per page, and two mirrors of a preset coexist in the cache', async () => {
    // A folder no earlier test asked for (the browser's HTTP cache may answer a repeated probe).
    const mirror = `${location.origin}/__hf/onnx-community/{repo}/resolve/probe-once/`;
    const tab = await openTab();
    const first = await tab.load('tiny', { modelBase: mirror });
    expect(first.error, JSON.stringify(first.error)).to.equal(null);
    const second = await tab.load('tiny', { modelBase: mirror });
    expect(second.loaded!.source).to.equal('cache');
    const probe = '/__hf/onnx-community/sam2.1-hiera-tiny-ONNX/resolve/probe-once/manifest.json';
    const counts = await requestCounts();
    expect(counts[probe], JSON.stringify(counts)).to.equal(1);
    const other = await tab.load('tiny', { modelBase: `${location.origin}/__hf/onnx-community/{repo}/resolve/mirror-2/` });
    expect(other.error, JSON.stringify(other.error)).to.equal(null);
    const cached = (await Segmenter.cachedModels()).filter((m) => m.name === 'sam2.1-hiera-tiny' && m.complete);
    expect(cached.length).to.equal(2);
  });
});

/**
 * `precision` on WebGPU (SwiftShader adapter, --enable-unsafe-webgpu): the choice follows the
 * adapter's `shader-f16`, stubbed in the worker (testing.simulateAdapter), and fp16 files are
 * never fetched where they could not run. Own file: its page has not lost its WebGPU device.
 */
import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import { SCENE, groundTruth, iou, nextEvent, sceneUrl } from '../helpers.js';

const SLOW = { timeout: 240000 };

describe('precision on a WebGPU adapter without shader-f16', function () {
  this.timeout(300000);
  const HF = `${location.origin}/__hf/onnx-community/{repo}/resolve/main/`;
  afterEach(async () => {
    await testing.simulateAdapter({ shaderF16: null });
    document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove());
  });

  it('auto and fp16 load the fp32 files, never asking for the fp16 ones', async () => {
    await testing.simulateAdapter({ shaderF16: false });
    for (const precision of ['auto', 'fp16']) {
      await fetch('/__requests', { method: 'DELETE' });
      const element = document.createElement('sam2-segmenter');
      element.loading = 'eager';
      element.backend = 'webgpu';
      element.modelBase = HF;
      element.setAttribute('precision', precision);
      element.model = 'edgetam';
      const loaded = nextEvent<{ backend: string; precision: string; decoderPrecision: string }>(element, 'model-load', SLOW);
      document.body.append(element);
      const { detail } = await loaded;
      expect(detail).to.include({ backend: 'webgpu', precision: 'fp32', decoderPrecision: 'fp32' });
      const requested = Object.keys(await (await fetch('/__requests')).json()).filter((p) => p.startsWith('/__hf/'));
      // The second load reads the first's fp32 files from the cache.
      if (precision === 'auto') expect(requested.some((p) => p.endsWith('vision_encoder.onnx'))).to.equal(true);
      expect(requested.filter((p) => /_fp16|_q4f16/.test(p)), precision).to.deep.equal([]);
      const [width, height] = [400, 240];
      const encoded = nextEvent(element, 'image-encode', SLOW);
      element.src = await sceneUrl(width, height);
      await encoded;
      const result = await element.addPoint(SCENE[0].cx * width, SCENE[0].cy * height);
      expect(iou(result!.mask!, groundTruth(width, height, [SCENE[0], SCENE[1]]))).to.be.at.least(0.97);
      element.remove();
    }
  });

  it('with shader-f16, auto loads an fp16 encoder and keeps the fp32 decoder', async () => {
    await testing.simulateAdapter({ shaderF16: true });
    await fetch('/__requests', { method: 'DELETE' });
    const element = document.createElement('sam2-segmenter');
    element.loading = 'eager';
    element.backend = 'webgpu';
    element.modelBase = HF;
    element.model = 'tiny';
    const loaded = nextEvent<{ precision: string; decoderPrecision: string }>(element, 'model-load', SLOW);
    document.body.append(element);
    expect((await loaded).detail).to.include({ precision: 'fp16', decoderPrecision: 'fp32' });
    const requested = Object.keys(await (await fetch('/__requests')).json()).filter((p) => p.startsWith('/__hf/'));
    expect(requested.some((p) => p.endsWith('vision_encoder_fp16.onnx'))).to.equal(true);
    expect(requested.some((p) => p.endsWith('prompt_encoder_mask_decoder.onnx'))).to.equal(true);
  });
});

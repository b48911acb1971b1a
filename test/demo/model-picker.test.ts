/**
 * The demo's model picker: it starts on the offline fixture model; one pick loads a preset at a
 * precision (here from the Hugging Face stand-in, /__hf/, whose EdgeTAM-ONNX folder holds generated
 * graphs with the published file names) or a manifest URL, and the address keeps the choice.
 */
import { expect } from '@esm-bundle/chai';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';

const HF = `${location.origin}/__hf/onnx-community/{repo}/resolve/main/`;

async function openDemo() {
  const frame = document.createElement('iframe');
  frame.src = '/demo/index.html';
  frame.style.cssText = 'width: 1000px; height: 800px; border: 0';
  document.body.append(frame);
  await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  const doc = frame.contentDocument!;
  const seg = doc.getElementById('seg') as Sam2Segmenter;
  const info = () => doc.getElementById('model-info')!.textContent ?? '';
  const select = (id: string, value: string) => {
    const element = doc.getElementById(id) as HTMLSelectElement;
    element.value = value;
    element.dispatchEvent(new Event('change'));
  };
  /** Waits until the info line names the model a model-load reported (or an error). */
  const settled = async (pattern: RegExp) => {
    const deadline = performance.now() + 60_000;
    while (!pattern.test(info()) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return info();
  };
  return { frame, doc, seg, info, select, settled, search: () => frame.contentWindow!.location.search };
}

describe('the demo model picker', () => {
  it('starts on the offline fixture model, with precision off (a manifest loads what it lists)', async () => {
    const demo = await openDemo();
    expect(await demo.settled(/^fixture-colour:/)).to.match(/^fixture-colour: fp32, 8 kB from the (network|cache), wasm$/);
    expect(demo.seg.model).to.match(/\/test\/fixtures\/generated\/colour\.manifest\.json$/);
    expect((demo.doc.getElementById('precision-pick') as HTMLSelectElement).disabled).to.equal(true);
    expect(demo.search()).to.equal('');
    demo.frame.remove();
  });

  it('loads a preset at a chosen precision in one pick each, and puts both in the address', async () => {
    const demo = await openDemo();
    await demo.settled(/^fixture-colour:/);
    demo.seg.modelBase = HF; // the stand-in instead of huggingface.co
    demo.select('model-pick', 'edgetam');
    expect(demo.seg.model).to.equal('edgetam');
    expect((demo.doc.getElementById('precision-pick') as HTMLSelectElement).disabled).to.equal(false);
    demo.select('precision-pick', 'q8');
    expect(demo.seg.precision).to.equal('q8');
    expect(demo.search()).to.equal('?model=edgetam&precision=q8');
    // The q8 files, as model-load reports them (auto on this WASM machine would have been fp32).
    expect(await demo.settled(/^edgetam:|not loaded/)).to.match(/^edgetam: q8, [\d.]+ (kB|MB) from the network, wasm$/);
    // ...and the image is encoded with them.
    const deadline = performance.now() + 60_000;
    while (demo.seg.status !== 'ready' && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(demo.seg.status).to.equal('ready');
    demo.frame.remove();
  });

  it('loads a manifest URL typed after "manifest URL…", then goes back to the fixture', async () => {
    const demo = await openDemo();
    await demo.settled(/^fixture-colour:/);
    demo.select('model-pick', 'url');
    const input = demo.doc.getElementById('model-url') as HTMLInputElement;
    expect(input.hidden).to.equal(false);
    input.value = `${location.origin}/test/fixtures/generated/refine.manifest.json`;
    input.dispatchEvent(new Event('change'));
    expect(await demo.settled(/^fixture-refine:/)).to.match(/^fixture-refine: fp32/);
    expect(new URLSearchParams(demo.search()).get('model')).to.equal(input.value);
    demo.select('model-pick', 'fixture');
    expect(await demo.settled(/^fixture-colour:/)).to.match(/from the (network|cache)/);
    expect(demo.search()).to.equal('');
    demo.frame.remove();
  });
});

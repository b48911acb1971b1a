/**
 * The demo page on a phone: in a 390 px wide frame (an iPhone's CSS width), nothing is wider
 * than the screen once the model is loaded, a mask is shown and the log holds long lines.
 */
import { expect } from '@esm-bundle/chai';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';

describe('the demo at 390 px', () => {
  it('fits the width: no horizontal scrolling, the toolbar inside the screen', async () => {
    const frame = document.createElement('iframe');
    frame.src = '/demo/index.html';
    frame.style.cssText = 'width: 390px; height: 844px; border: 0';
    document.body.append(frame);
    await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    const doc = frame.contentDocument!;
    const seg = doc.getElementById('seg') as Sam2Segmenter;
    const deadline = performance.now() + 60_000;
    while (seg.status !== 'ready' && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(seg.status).to.equal('ready');
    // A point: the toolbar appears; the model-load line in the log is one long JSON word.
    await seg.addPoint(seg.imageSize!.width * 0.4, seg.imageSize!.height * 0.5);
    await new Promise((r) => setTimeout(r, 200));
    expect(doc.documentElement.scrollWidth).to.be.at.most(390);
    const toolbar = seg.shadowRoot!.querySelector('[part~="toolbar"]')!.getBoundingClientRect();
    expect(toolbar.width).to.be.greaterThan(0);
    expect(toolbar.left).to.be.at.least(0);
    expect(toolbar.right).to.be.at.most(390);
    frame.remove();
  });
});

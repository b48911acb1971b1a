/**
 * Under a Content Security Policy without 'unsafe-inline' for styles, inline style attributes
 * are dropped (and reported). The element sets its layout through the CSSOM only, so it keeps
 * its image's aspect ratio there and causes no violation.
 */
import { expect } from '@esm-bundle/chai';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { COLOUR_MODEL, nextEvent, sceneUrl } from '../helpers.js';

const [W, H] = [1000, 600];

describe("<sam2-segmenter> under style-src 'self'", () => {
  it('keeps its aspect ratio and progress bar without a single inline style attribute', async () => {
    const iframe = document.createElement('iframe');
    iframe.style.width = '700px';
    iframe.style.height = '600px';
    iframe.srcdoc = `<!doctype html><meta http-equiv="Content-Security-Policy" content="style-src 'self'">
      <body><script type="module" src="/dist/sam2-segmenter.js"></script></body>`;
    const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
    document.body.append(iframe);
    await loaded;
    const win = iframe.contentWindow as Window & typeof globalThis;
    const doc = iframe.contentDocument!;
    const violations: string[] = [];
    doc.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective}: ${e.sample}`));
    await win.customElements.whenDefined('sam2-segmenter');
    const element = doc.createElement('sam2-segmenter') as Sam2Segmenter;
    element.loading = 'eager';
    element.model = COLOUR_MODEL;
    element.style.width = '500px'; // through the CSSOM: allowed
    doc.body.append(element);
    element.src = await sceneUrl(W, H);
    // The progress bar's fill width is a custom property too.
    await nextEvent(element, 'progress');
    await nextEvent(element, 'image-encode');
    await element.updateComplete;
    const frame = element.shadowRoot!.querySelector<HTMLElement>('.frame')!;
    expect(frame.getBoundingClientRect().height).to.be.closeTo((500 * H) / W, 1);
    expect(violations).to.deep.equal([]);
    iframe.remove();
  });
});

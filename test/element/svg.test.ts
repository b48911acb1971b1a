import { expect } from '@esm-bundle/chai';
import '../../dist/sam2-segmenter.js';
import type { ErrorDetail, ImageEncodeDetail } from '../../src/events.js';
import { RED, type Shape, createSegmenter, groundTruth, iou, nextEvent } from '../helpers.js';

const ELLIPSE: Shape = { kind: 'ellipse', cx: 0.35, cy: 0.45, rx: 0.2, ry: 0.25, colour: RED };

/** Grey background and the red ellipse, drawn in a viewBox of `w` x `h` user units. */
function svgText(rootAttributes: string, w: number, h: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" ${rootAttributes}>` +
    `<rect x="0" y="0" width="${w}" height="${h}" fill="rgb(128,128,128)"/>` +
    `<ellipse cx="${ELLIPSE.cx * w}" cy="${ELLIPSE.cy * h}" rx="${ELLIPSE.rx * w}" ry="${ELLIPSE.ry * h}" fill="rgb(255,0,0)"/></svg>`
  );
}

async function serveSvg(name: string, text: string): Promise<string> {
  await fetch(`/__mutable/${name}`, { method: 'PUT', body: text, headers: { 'Content-Type': 'image/svg+xml' } });
  return new URL(`/__mutable/${name}`, location.origin).href;
}

async function segmentEllipse(element: HTMLElement & { addPoint(x: number, y: number): Promise<{ mask: { width: number; height: number; data: Uint8Array } | null } | null> }, width: number, height: number) {
  const result = await element.addPoint(ELLIPSE.cx * width, ELLIPSE.cy * height);
  return iou(result!.mask!, groundTruth(width, height, [ELLIPSE]));
}

describe('<sam2-segmenter> SVG images', () => {
  afterEach(() => document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove()));

  it('an SVG URL with width and height is rasterised at that size and segmented', async () => {
    const element = createSegmenter();
    element.src = await serveSvg('shape.svg', svgText('width="400" height="300" viewBox="0 0 400 300"', 400, 300));
    const { detail } = await nextEvent<ImageEncodeDetail>(element, 'image-encode');
    expect([detail.width, detail.height]).to.deep.equal([400, 300]);
    expect(await segmentEllipse(element, 400, 300)).to.be.at.least(0.95);
  });

  it('an SVG Blob with a viewBox only is rasterised with its longer side at 1024 px', async () => {
    const element = createSegmenter();
    element.image = new Blob([svgText('viewBox="0 0 200 100"', 200, 100)], { type: 'image/svg+xml' });
    const { detail } = await nextEvent<ImageEncodeDetail>(element, 'image-encode');
    expect([detail.width, detail.height]).to.deep.equal([1024, 512]);
    expect(await segmentEllipse(element, 1024, 512)).to.be.at.least(0.95);
  });

  it('an SVG with neither size nor viewBox is refused with image-load-failed, and the element stays usable', async () => {
    const element = createSegmenter();
    const failed = nextEvent<ErrorDetail>(element, 'error');
    element.src = await serveSvg('nosize.svg', svgText('', 100, 100));
    expect((await failed).detail.code).to.equal('image-load-failed');
    element.src = await serveSvg('sized.svg', svgText('width="240" height="160"', 240, 160));
    const { detail } = await nextEvent<ImageEncodeDetail>(element, 'image-encode');
    expect([detail.width, detail.height]).to.deep.equal([240, 160]);
  });
});

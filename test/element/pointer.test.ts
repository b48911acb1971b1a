import { expect } from '@esm-bundle/chai';
import { sendMouse, resetMouse } from '@web/test-runner-commands';
import '../../dist/sam2-segmenter.js';
import type { MaskChangeDetail } from '../../src/events.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { SCENE, createSegmenter, maskAt, nextEvent, sceneUrl } from '../helpers.js';

/** Client coordinates of natural-image pixel (x, y) inside the element, from its layout alone. */
function clientPointOf(element: Sam2Segmenter, x: number, y: number, width: number, height: number) {
  const frame = element.shadowRoot!.querySelector('.frame')!.getBoundingClientRect();
  const scale = Math.min(frame.width / width, frame.height / height);
  const offsetX = (frame.width - width * scale) / 2;
  const offsetY = (frame.height - height * scale) / 2;
  return { x: frame.left + offsetX + x * scale, y: frame.top + offsetY + y * scale, scale };
}

async function click(x: number, y: number, button: 'left' | 'right' = 'left') {
  await sendMouse({ type: 'click', position: [Math.round(x), Math.round(y)], button });
}

describe('<sam2-segmenter> pointer input', () => {
  afterEach(async () => {
    await resetMouse();
    document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove());
  });

  const layouts = [
    { name: 'letterboxed (wide box, tall image)', style: 'width: 700px; height: 300px', size: [600, 1000] },
    { name: 'pillarboxed (tall box, wide image)', style: 'width: 260px; height: 420px', size: [1000, 600] },
    { name: 'auto height, 12 MP image shrunk 10x', style: 'width: 400px', size: [4000, 3000] },
    { name: 'exact natural size', style: 'width: 500px; height: 300px', size: [500, 300] },
  ] as const;

  for (const { name, style, size } of layouts) {
    it(`a click lands on the image pixel under the pointer: ${name}`, async () => {
      const [width, height] = size;
      document.body.style.margin = '13px';
      const element = createSegmenter({ style });
      element.src = await sceneUrl(width, height);
      await nextEvent(element, 'image-encode');
      // Target: the blue rectangle's centre; compute where it is on screen from layout only.
      const blue = SCENE[2];
      const target = { x: blue.cx * width, y: blue.cy * height };
      const at = clientPointOf(element, target.x, target.y, width, height);
      const changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
      await click(at.x, at.y);
      const { detail } = await changed;
      expect(detail.source).to.equal('user');
      const [point] = detail.prompts.points;
      expect(point.label).to.equal(1);
      // sendMouse rounds to whole CSS px: the point is within one CSS px (in image px) of the target.
      const tolerance = 1 / at.scale + 1e-6;
      expect(Math.abs(point.x - target.x), `x ${point.x} vs ${target.x}`).to.be.at.most(tolerance);
      expect(Math.abs(point.y - target.y), `y ${point.y} vs ${target.y}`).to.be.at.most(tolerance);
      expect(maskAt(detail.mask!, target.x, target.y)).to.equal(1);
      expect(maskAt(detail.mask!, SCENE[0].cx * width, SCENE[0].cy * height)).to.equal(0);
      expect(detail.mask!.width).to.equal(width);
    });
  }

  it('clicks outside the displayed image (in the letterbox) add nothing', async () => {
    const element = createSegmenter({ style: 'width: 700px; height: 300px' });
    element.src = await sceneUrl(600, 1000);
    await nextEvent(element, 'image-encode');
    const frame = element.shadowRoot!.querySelector('.frame')!.getBoundingClientRect();
    let changes = 0;
    element.addEventListener('mask-change', () => changes++);
    await click(frame.left + 10, frame.top + frame.height / 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(changes).to.equal(0);
    expect(element.prompts.points.length).to.equal(0);
  });

  it('shift-click and right-click add negative points; clicking a point removes it', async () => {
    const [width, height] = [1000, 600];
    const element = createSegmenter({ style: 'width: 500px' });
    element.src = await sceneUrl(width, height);
    await nextEvent(element, 'image-encode');
    const [red, twin] = SCENE;
    const redAt = clientPointOf(element, red.cx * width, red.cy * height, width, height);
    const twinAt = clientPointOf(element, twin.cx * width, twin.cy * height, width, height);

    let changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await click(redAt.x, redAt.y);
    let { detail } = await changed;
    expect(maskAt(detail.mask!, twin.cx * width, twin.cy * height)).to.equal(1);

    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await click(twinAt.x, twinAt.y, 'right');
    ({ detail } = await changed);
    expect(detail.prompts.points.map((p) => p.label)).to.deep.equal([1, 0]);
    expect(maskAt(detail.mask!, twin.cx * width, twin.cy * height)).to.equal(0);

    // Clicking the negative point again removes it: the twin comes back.
    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await click(twinAt.x + 3, twinAt.y - 2);
    ({ detail } = await changed);
    expect(detail.prompts.points.map((p) => p.label)).to.deep.equal([1]);
    expect(maskAt(detail.mask!, twin.cx * width, twin.cy * height)).to.equal(1);

    // Shift-click is negative too.
    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendMouse({ type: 'move', position: [Math.round(twinAt.x), Math.round(twinAt.y)] });
    const { sendKeys } = await import('@web/test-runner-commands');
    await sendKeys({ down: 'Shift' });
    await click(twinAt.x, twinAt.y);
    await sendKeys({ up: 'Shift' });
    ({ detail } = await changed);
    expect(detail.prompts.points.map((p) => p.label)).to.deep.equal([1, 0]);
  });
});

import { expect } from '@esm-bundle/chai';
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { MaskChangeDetail } from '../../src/events.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { GREEN, GREY, RED, REFINE_MODEL, SCENE, createSegmenter, groundTruth, iou, maskAt, nextEvent, sceneUrl, settle, type Shape } from '../helpers.js';

const [W, H] = [1000, 600];
const [RED_SHAPE, TWIN, BLUE] = SCENE;

function screenOf(element: Sam2Segmenter, x: number, y: number) {
  const frame = element.shadowRoot!.querySelector('.frame')!.getBoundingClientRect();
  const { width, height } = element.imageSize!;
  const s = Math.min(frame.width / width, frame.height / height);
  return [Math.round(frame.left + (frame.width - width * s) / 2 + x * s), Math.round(frame.top + (frame.height - height * s) / 2 + y * s)] as [number, number];
}
const centre = (shape: Shape) => [shape.cx * W, shape.cy * H] as const;

async function ready(options: Parameters<typeof createSegmenter>[0] = {}) {
  const element = createSegmenter({ style: 'width: 600px', ...options });
  element.src = await sceneUrl(W, H);
  await nextEvent(element, 'image-encode');
  return element;
}

/** Presses a key with modifiers held (sendKeys' press doesn't take combinations). */
async function combo(modifiers: string[], key: string) {
  for (const m of modifiers) await sendKeys({ down: m });
  await sendKeys({ press: key });
  for (const m of [...modifiers].reverse()) await sendKeys({ up: m });
}

/** RGBA of the overlay canvas at client coordinates. */
function overlayAt(element: Sam2Segmenter, clientX: number, clientY: number) {
  const canvas = element.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.overlay')!;
  const frame = canvas.getBoundingClientRect();
  const dpr = canvas.width / frame.width;
  return Array.from(canvas.getContext('2d')!.getImageData(Math.round((clientX - frame.left) * dpr), Math.round((clientY - frame.top) * dpr), 1, 1).data);
}

/** Alpha of the overlay canvas at an image pixel (0 = nothing painted there). */
function overlayAlpha(element: Sam2Segmenter, x: number, y: number) {
  const canvas = element.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.overlay')!;
  const frame = canvas.getBoundingClientRect();
  const [cx, cy] = screenOf(element, x, y);
  const dpr = canvas.width / frame.width;
  const px = canvas.getContext('2d')!.getImageData(Math.round((cx - frame.left) * dpr), Math.round((cy - frame.top) * dpr), 1, 1).data;
  return px[3];
}

describe('<sam2-segmenter> prompting', () => {
  afterEach(async () => {
    await resetMouse();
    document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove());
  });

  it('press-drag draws a box prompt; a click inside combines point and box', async () => {
    const element = await ready();
    // A box around the left half: red ellipse inside, twin rectangle outside.
    const [x1, y1] = screenOf(element, 20, 20);
    const [x2, y2] = screenOf(element, 0.55 * W, H - 20);
    let changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendMouse({ type: 'move', position: [x1, y1] });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [Math.round((x1 + x2) / 2), Math.round((y1 + y2) / 2)] });
    await sendMouse({ type: 'move', position: [x2, y2] });
    await sendMouse({ type: 'up' });
    let { detail } = await changed;
    expect(detail.prompts.points).to.have.length(0);
    const box = detail.prompts.box!;
    const s = W / element.shadowRoot!.querySelector('.frame')!.getBoundingClientRect().width;
    expect(box.x1).to.be.closeTo(20, 1.01 * s);
    expect(box.x2).to.be.closeTo(0.55 * W, 1.01 * s);
    // The fixture's box-only mask is the box itself.
    expect(maskAt(detail.mask!, 100, 300)).to.equal(1);
    expect(maskAt(detail.mask!, ...centre(TWIN))).to.equal(0);

    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendMouse({ type: 'click', position: screenOf(element, ...centre(RED_SHAPE)) });
    ({ detail } = await changed);
    expect(detail.prompts.points).to.have.length(1);
    expect(detail.prompts.box).to.not.equal(null);
    expect(iou(detail.mask!, groundTruth(W, H, [RED_SHAPE]))).to.be.at.least(0.97);
  });

  it('Ctrl+Z undoes, Shift+Ctrl+Z redoes, Escape clears', async () => {
    const element = await ready();
    element.focus();
    await element.addPoint(...centre(RED_SHAPE), 1);
    await element.addPoint(...centre(TWIN), 0);
    let changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await combo(['Control'], 'z');
    let { detail } = await changed;
    expect(detail.prompts.points.map((p) => p.label)).to.deep.equal([1]);
    expect(maskAt(detail.mask!, ...centre(TWIN))).to.equal(1);

    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await combo(['Control', 'Shift'], 'z');
    ({ detail } = await changed);
    expect(detail.prompts.points.map((p) => p.label)).to.deep.equal([1, 0]);
    expect(maskAt(detail.mask!, ...centre(TWIN))).to.equal(0);

    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendKeys({ press: 'Escape' });
    ({ detail } = await changed);
    expect(detail.mask).to.equal(null);
    expect(element.prompts.points).to.have.length(0);
    // Clearing is itself undoable.
    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await combo(['Control'], 'z');
    ({ detail } = await changed);
    expect(detail.prompts.points).to.have.length(2);
  });

  it('the candidate chooser switches the mask', async () => {
    const element = await ready();
    await element.addPoint(...centre(RED_SHAPE));
    await element.updateComplete;
    const buttons = element.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="candidates"] button');
    expect(buttons.length).to.equal(3);
    expect(buttons[1].getAttribute('aria-checked')).to.equal('true');
    const rect = buttons[0].getBoundingClientRect();
    const changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendMouse({ type: 'click', position: [Math.round(rect.left + rect.width / 2), Math.round(rect.top + rect.height / 2)] });
    const { detail } = await changed;
    expect(detail.maskIndex).to.equal(0);
    expect(detail.prompts.points).to.have.length(1); // the toolbar click added no point
    expect(maskAt(detail.mask!, ...centre(TWIN))).to.equal(0);
    await element.updateComplete;
    expect(buttons[0].getAttribute('aria-checked')).to.equal('true');
  });

  it('refinement: a follow-up click feeds the previous logits as mask_input', async () => {
    // The refine fixture segments by the LAST positive point's colour, united with mask_input.
    const shapes: Shape[] = [
      { kind: 'rect', cx: 0.25, cy: 0.5, rx: 0.15, ry: 0.3, colour: RED },
      { kind: 'ellipse', cx: 0.7, cy: 0.5, rx: 0.15, ry: 0.3, colour: GREEN },
    ];
    const element = createSegmenter({ model: REFINE_MODEL, style: 'width: 600px' });
    element.src = URL.createObjectURL(await (await import('../helpers.js')).sceneBlob(W, H, shapes));
    await nextEvent(element, 'image-encode');
    const [red, green] = shapes;
    const first = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendMouse({ type: 'click', position: screenOf(element, red.cx * W, red.cy * H) });
    expect(iou((await first).detail.mask!, groundTruth(W, H, [red]))).to.be.at.least(0.97);
    const changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendMouse({ type: 'click', position: screenOf(element, green.cx * W, green.cy * H) });
    const { detail } = await changed;
    expect(iou(detail.mask!, groundTruth(W, H, [red, green]))).to.be.at.least(0.97);
    // Without the previous logits (after clear) the same click gives green only.
    element.clear();
    const fresh = await element.addPoint(green.cx * W, green.cy * H);
    expect(iou(fresh!.mask!, groundTruth(W, H, [green]))).to.be.at.least(0.97);
    void GREY;
  });

  it('hover preview is latest-wins: a burst of moves costs at most two decodes and paints the last position', async () => {
    const element = await ready();
    element.hoverPreview = true;
    const frame = element.shadowRoot!.querySelector('.frame')!;
    const before = (await testing.workerStats())!.decodes;
    // 200 moves in one task, far faster than any decoder: from the red ellipse to the blue rectangle.
    const moves = 200;
    const [ax, ay] = screenOf(element, ...centre(RED_SHAPE));
    const [bx, by] = screenOf(element, ...centre(BLUE));
    for (let i = 0; i <= moves; i++) {
      const clientX = ax + ((bx - ax) * i) / moves;
      const clientY = ay + ((by - ay) * i) / moves;
      frame.dispatchEvent(new PointerEvent('pointermove', { clientX, clientY, pointerId: 1, pointerType: 'mouse', bubbles: true, composed: true }));
    }
    for (let i = 0; i < 100 && overlayAlpha(element, ...centre(BLUE)) === 0; i++) await settle(20);
    await settle(200);
    const decodes = (await testing.workerStats())!.decodes - before;
    // One decode for the first position (in flight), one for the last (pending); the 199 between are dropped.
    expect(decodes).to.equal(2);
    // The painted preview is the blue rectangle's (where the pointer is), never the first position's.
    expect(overlayAlpha(element, ...centre(BLUE))).to.be.above(0);
    expect(overlayAlpha(element, ...centre(RED_SHAPE))).to.equal(0);
    // A preview is not a prompt: no points, no result.
    expect(element.prompts.points).to.have.length(0);
    expect(element.result).to.equal(null);
    // Real mouse moves show the preview of whatever is under the pointer.
    await sendMouse({ type: 'move', position: screenOf(element, ...centre(RED_SHAPE)) });
    for (let i = 0; i < 100 && overlayAlpha(element, ...centre(RED_SHAPE)) === 0; i++) await settle(20);
    expect(overlayAlpha(element, ...centre(RED_SHAPE))).to.be.above(0);
    expect(overlayAlpha(element, ...centre(BLUE))).to.equal(0);
  });

  it('keyboard only: arrows move the cursor, Enter adds points, Delete removes the last', async () => {
    const element = await ready();
    const other = document.createElement('button');
    other.textContent = 'before';
    document.body.prepend(other);
    other.focus();
    await sendKeys({ press: 'Tab' });
    expect(document.activeElement).to.equal(element);
    // The cursor starts at the image centre (500,300); red ellipse centre is (320,252).
    // Steps are 2% of the longer side (20 px), Shift = 10% (100 px).
    await combo(['Shift'], 'ArrowLeft');
    for (let i = 0; i < 4; i++) await sendKeys({ press: 'ArrowLeft' });
    for (let i = 0; i < 2; i++) await sendKeys({ press: 'ArrowUp' });
    let changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendKeys({ press: 'Enter' });
    let { detail } = await changed;
    expect(detail.prompts.points[0]).to.deep.equal({ x: 320, y: 260, label: 1 });
    expect(iou(detail.mask!, groundTruth(W, H, [RED_SHAPE, TWIN]))).to.be.at.least(0.97);
    // Move onto the twin rectangle (750,180) and exclude it with Shift+Enter.
    for (let i = 0; i < 4; i++) await combo(['Shift'], 'ArrowRight');
    for (let i = 0; i < 4; i++) await sendKeys({ press: 'ArrowUp' });
    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await combo(['Shift'], 'Enter');
    ({ detail } = await changed);
    expect(detail.prompts.points[1]).to.deep.equal({ x: 720, y: 180, label: 0 });
    expect(maskAt(detail.mask!, ...centre(TWIN))).to.equal(0);
    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendKeys({ press: 'Delete' });
    ({ detail } = await changed);
    expect(detail.prompts.points).to.have.length(1);
    other.remove();
  });

  it('touch: a tap adds a positive point, a long press a negative one', async () => {
    const element = await ready();
    const frame = element.shadowRoot!.querySelector('.frame')!;
    const touch = (type: string, [clientX, clientY]: [number, number], pointerId: number) =>
      frame.dispatchEvent(new PointerEvent(type, { clientX, clientY, pointerId, pointerType: 'touch', isPrimary: true, button: type === 'pointermove' ? -1 : 0, bubbles: true, composed: true }));
    let changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    touch('pointerdown', screenOf(element, ...centre(RED_SHAPE)), 11);
    await settle(80);
    touch('pointerup', screenOf(element, ...centre(RED_SHAPE)), 11);
    let { detail } = await changed;
    expect(detail.prompts.points.map((p) => p.label)).to.deep.equal([1]);
    expect(detail.source).to.equal('user');

    changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    const [px, py] = screenOf(element, ...centre(TWIN));
    // The ring's top (18 CSS px above the finger) before the press and while it lasts.
    const ringTop = () => overlayAt(element, px, py - 18);
    const before = ringTop();
    touch('pointerdown', [px, py], 12);
    await settle(250);
    const during = ringTop();
    // The negative colour (default #dc2626) is stroked there, over whatever was painted before.
    expect(during, `before ${before}, during ${during}`).to.not.deep.equal(before);
    expect(during[0]).to.be.above(150);
    expect(during[2]).to.be.below(100);
    await settle(450); // the long press fires while the finger is still down
    ({ detail } = await changed);
    touch('pointerup', screenOf(element, ...centre(TWIN)), 12);
    expect(detail.prompts.points.map((p) => p.label)).to.deep.equal([1, 0]);
    expect(maskAt(detail.mask!, ...centre(TWIN))).to.equal(0);

    // A second finger makes it the page's gesture: nothing is added.
    touch('pointerdown', screenOf(element, ...centre(BLUE)), 13);
    touch('pointerdown', screenOf(element, 100, 100), 14);
    touch('pointerup', screenOf(element, ...centre(BLUE)), 13);
    touch('pointerup', screenOf(element, 100, 100), 14);
    await settle(300);
    expect(element.prompts.points).to.have.length(2);
  });

  it('has no axe accessibility violations and announces the mask', async () => {
    const element = await ready();
    element.alt = 'A red ellipse and two rectangles';
    await element.addPoint(...centre(RED_SHAPE));
    await element.updateComplete;
    await new Promise<void>((resolve, reject) => {
      const script = Object.assign(document.createElement('script'), { src: '/node_modules/axe-core/axe.min.js' });
      script.onload = () => resolve();
      script.onerror = reject;
      document.head.append(script);
    });
    const axe = (window as unknown as { axe: { run(ctx: Element, o: object): Promise<{ violations: Array<{ id: string; help: string }> }> } }).axe;
    const results = await axe.run(element, { resultTypes: ['violations'] });
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).to.deep.equal([]);
    const live = element.shadowRoot!.querySelector('[aria-live]')!;
    expect(live.textContent).to.match(/^Mask: \d+% of the image, 1 point$/);
    expect(element.shadowRoot!.querySelector('[role="application"]')!.getAttribute('aria-label')).to.contain('A red ellipse');
  });
});

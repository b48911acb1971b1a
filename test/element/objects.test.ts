/**
 * Several objects per image (architecture.md, "Objects: several per image"): each with its own
 * prompts, history and mask; the object bar and keys with `multiple`; colours on the overlay;
 * exports per object and for all.
 */
import { expect } from '@esm-bundle/chai';
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../dist/sam2-segmenter.js';
import * as testing from '../testing.js';
import type { MaskChangeDetail, ObjectsChangeDetail } from '../../src/events.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { decodeCocoRle } from '../../src/mask/rle.js';
import { SCENE, createSegmenter, groundTruth, iou, maskAt, nextEvent, recordEvents, sceneUrl, settle } from '../helpers.js';

const [W, H] = [1000, 600];
const [RED, TWIN, BLUE] = SCENE;
const at = (shape: (typeof SCENE)[number]) => [shape.cx * W, shape.cy * H] as const;

async function ready(options: { style?: string; multiple?: boolean } = {}) {
  const element = createSegmenter({ style: options.style ?? 'width: 600px' });
  element.multiple = options.multiple ?? false;
  element.src = await sceneUrl(W, H);
  await nextEvent(element, 'image-encode');
  return element;
}

/** Client position of an image pixel. */
function screenOf(element: Sam2Segmenter, x: number, y: number): [number, number] {
  const frame = element.shadowRoot!.querySelector('.frame')!.getBoundingClientRect();
  const s = Math.min(frame.width / W, frame.height / H);
  return [frame.left + (frame.width - W * s) / 2 + x * s, frame.top + (frame.height - H * s) / 2 + y * s];
}

/** RGBA of the overlay at an image pixel. */
function overlayAt(element: Sam2Segmenter, x: number, y: number) {
  const canvas = element.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.overlay')!;
  const rect = canvas.getBoundingClientRect();
  const [cx, cy] = screenOf(element, x, y);
  const dpr = canvas.width / rect.width;
  return Array.from(canvas.getContext('2d')!.getImageData(Math.floor((cx - rect.left) * dpr), Math.floor((cy - rect.top) * dpr), 1, 1).data);
}

async function clickOn(target: Element) {
  const r = target.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)] });
}

const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
const copy = (data: Uint8Array) => new Uint8Array(data);
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe('<sam2-segmenter> objects', () => {
  afterEach(async () => {
    await resetMouse();
    document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove());
  });

  it('two objects on one image each get their own mask, and mask-change names the object', async () => {
    const element = await ready();
    expect(element.objects.map((o) => o.id)).to.deep.equal([1]);
    expect(element.activeObject).to.equal(1);
    const log = recordEvents(element, ['mask-change']);
    await element.addPoint(...at(RED));
    expect(element.addObject()).to.equal(2);
    expect(element.activeObject).to.equal(2);
    await element.addPoint(...at(BLUE));
    const [first, second] = element.objects;
    expect(iou(first.mask!, groundTruth(W, H, [RED, TWIN]))).to.be.at.least(0.97);
    expect(iou(second.mask!, groundTruth(W, H, [BLUE]))).to.be.at.least(0.97);
    expect(first.prompts.points).to.have.length(1);
    expect(second.prompts.points[0]).to.include({ x: BLUE.cx * W, y: BLUE.cy * H });
    expect(second.area).to.equal(second.mask!.data.reduce((n, v) => n + (v ? 1 : 0), 0));
    expect(second.bbox.x).to.be.closeTo((BLUE.cx - BLUE.rx) * W, 1);
    expect(second.score).to.be.above(0);
    const events = log.of('mask-change') as CustomEvent<MaskChangeDetail>[];
    expect(events.map((e) => e.detail.objectId)).to.deep.equal([1, 2]);
    // `result` and `prompts` are the active object's.
    expect(maskAt(element.result!.mask!, ...at(BLUE))).to.equal(1);
    expect(element.prompts.points).to.have.length(1);
  });

  it("editing one object leaves the other's mask bit-identical, and switching runs no encoder or decoder", async () => {
    const element = await ready();
    await element.addPoint(...at(RED));
    const kept = copy(element.objects[0].mask!.data);
    element.addObject();
    const before = (await testing.workerStats())!;
    const log = recordEvents(element, ['mask-change']);
    await element.addPoint(...at(BLUE));
    await element.addPoint(...at(TWIN));
    await element.setBox({ x1: 0, y1: 0, x2: W, y2: H });
    await element.undo();
    element.clear();
    await element.undo(); // the clear is undone
    element.activeObject = 1;
    element.activeObject = 2;
    element.activeObject = 1;
    await settle(100);
    const after = (await testing.workerStats())!;
    expect(sameBytes(element.objects[0].mask!.data, kept)).to.equal(true);
    expect((log.of('mask-change') as CustomEvent<MaskChangeDetail>[]).every((e) => e.detail.objectId === 2)).to.equal(true);
    expect(after.imagesEncoded).to.equal(before.imagesEncoded);
    expect(after.embeddingCacheHits).to.equal(before.embeddingCacheHits);
    // addPoint, addPoint, setBox, undo, undo: five decodes; clear and the switches none.
    expect(after.decodes - before.decodes).to.equal(5);
  });

  it('undo and redo act on the active object only', async () => {
    const element = await ready();
    await element.addPoint(...at(RED));
    await element.addPoint(...at(TWIN), 0);
    element.addObject();
    await element.addPoint(...at(BLUE));
    element.activeObject = 1;
    const undone = await element.undo();
    expect(undone!.prompts.points.map((p) => p.label)).to.deep.equal([1]);
    expect(maskAt(undone!.mask!, ...at(TWIN))).to.equal(1);
    expect(element.objects[1].prompts.points).to.have.length(1);
    element.activeObject = 2;
    expect(await element.undo()).to.equal(null);
    expect(element.objects[1].mask).to.equal(null);
    expect(element.objects[0].prompts.points).to.have.length(1);
    await element.redo();
    expect(iou(element.objects[1].mask!, groundTruth(W, H, [BLUE]))).to.be.at.least(0.97);
    // Object 1 still redoes its own step.
    element.activeObject = 1;
    const redone = await element.redo();
    expect(redone!.prompts.points.map((p) => p.label)).to.deep.equal([1, 0]);
  });

  it('removeObject: the highest remaining id becomes active, the last one leaves a new empty object; objects-change once per call, no mask-change', async () => {
    const element = await ready();
    await element.addPoint(...at(RED));
    const log = recordEvents(element, ['objects-change', 'mask-change']);
    element.addObject(); // 2
    element.addObject(); // 3
    element.activeObject = 2;
    element.activeObject = 2; // no change: no event
    element.activeObject = 42; // unknown: nothing
    expect(element.activeObject).to.equal(2);
    element.removeObject(2);
    expect(element.activeObject).to.equal(3);
    element.removeObject(42); // unknown: nothing
    element.removeObject(1);
    element.removeObject(3);
    expect(element.objects.map((o) => o.id)).to.deep.equal([4]);
    expect(element.activeObject).to.equal(4);
    expect(element.addObject()).to.equal(5);
    const changes = log.of('objects-change') as CustomEvent<ObjectsChangeDetail>[];
    expect(changes.map((e) => [e.detail.objects.map((o) => o.id), e.detail.activeObject])).to.deep.equal([
      [[1, 2], 2],
      [[1, 2, 3], 3],
      [[1, 2, 3], 2],
      [[1, 3], 3],
      [[3], 3],
      [[4], 4],
      [[4, 5], 5],
    ]);
    expect(log.of('mask-change')).to.have.length(0);
    expect(changes[0].bubbles && changes[0].composed).to.equal(true);
  });

  it('a new image starts again with one object, id 1', async () => {
    const element = await ready();
    await element.addPoint(...at(RED));
    element.addObject();
    await element.addPoint(...at(BLUE));
    const changed = nextEvent<ObjectsChangeDetail>(element, 'objects-change');
    element.src = await sceneUrl(W, H);
    const { detail } = await changed;
    expect(detail.objects.map((o) => o.id)).to.deep.equal([1]);
    expect(detail.activeObject).to.equal(1);
    expect(element.objects[0].mask).to.equal(null);
    await nextEvent(element, 'image-encode');
    expect(element.addObject()).to.equal(2);
  });

  it('with `multiple`: the object bar and the keys n and 1-9, by real pointer and keyboard input', async () => {
    const element = await ready({ multiple: true });
    const bar = () => element.shadowRoot!.querySelector('[part="objects"]')!;
    await element.addPoint(...at(RED));
    await element.updateComplete;
    expect(bar().querySelectorAll('.chip')).to.have.length(1);
    await clickOn(bar().querySelector('button.add')!);
    expect(element.activeObject).to.equal(2);
    // Clicks on the image now prompt object 2.
    const changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    await sendMouse({ type: 'click', position: screenOf(element, ...at(BLUE)).map(Math.round) as [number, number] });
    const { detail } = await changed;
    expect(detail.objectId).to.equal(2);
    expect(detail.source).to.equal('user');
    expect(iou(detail.mask!, groundTruth(W, H, [BLUE]))).to.be.at.least(0.97);
    element.focus();
    await sendKeys({ press: 'n' });
    expect(element.objects.map((o) => o.id)).to.deep.equal([1, 2, 3]);
    await sendKeys({ press: 'N' });
    expect(element.activeObject).to.equal(4);
    await sendKeys({ press: '1' });
    expect(element.activeObject).to.equal(1);
    await sendKeys({ press: '9' }); // no object 9: nothing
    expect(element.activeObject).to.equal(1);
    await element.updateComplete;
    const chip = (id: number) => bar().querySelector(`.chip[data-object="${id}"]`)!;
    expect(chip(1).getAttribute('aria-current')).to.equal('true');
    await clickOn(chip(2).querySelector('button.swatch')!);
    expect(element.activeObject).to.equal(2);
    await clickOn(chip(3).querySelector('button.remove')!);
    expect(element.objects.map((o) => o.id)).to.deep.equal([1, 2, 4]);
    await element.updateComplete;
    expect(bar().querySelectorAll('.chip')).to.have.length(3);
    // The live region says what happened.
    expect(element.shadowRoot!.querySelector('[aria-live]')!.textContent).to.contain('Object 3 removed');
    // Chips are drawn in their object's colour.
    const chipColour = (id: number) => getComputedStyle(chip(id)).getPropertyValue('--_chip-color').trim();
    expect(chipColour(1)).to.equal('rgb(30 144 255)');
    expect(chipColour(2)).to.equal('rgb(249 115 22)');
  });

  it('without `multiple` nothing visible changes: no object bar, and n or 1-9 do nothing', async () => {
    const element = await ready();
    await element.addPoint(...at(RED));
    await element.updateComplete;
    expect(element.shadowRoot!.querySelector('[part="objects"]')).to.equal(null);
    element.focus();
    await sendKeys({ press: 'n' });
    await sendKeys({ press: '1' });
    expect(element.objects.map((o) => o.id)).to.deep.equal([1]);
    expect(element.shadowRoot!.querySelector('[aria-live]')!.textContent).to.match(/^Mask: \d+% of the image, 1 point$/);
  });

  it('every object is drawn in its colour; the active one on top and outlined', async () => {
    const element = await ready();
    element.style.setProperty('--sam2-object-colors', 'rgb(255 0 0), rgb(0 0 255)');
    element.style.setProperty('--sam2-mask-opacity', '1');
    element.style.setProperty('--sam2-outline-width', '4px');
    // Object 1: a box over the left half (the fixture's box-only mask is the box); object 2: the blue rectangle.
    await element.setBox({ x1: 0, y1: 0, x2: 0.5 * W, y2: H });
    element.addObject();
    await element.addPoint(...at(BLUE));
    await frames();
    expect(overlayAt(element, 100, 300)).to.deep.equal([255, 0, 0, 255]);
    // (40 image px beside the click: not under its marker)
    const beside = (shape: (typeof SCENE)[number]) => [shape.cx * W + 40, shape.cy * H] as const;
    expect(overlayAt(element, ...beside(BLUE))).to.deep.equal([0, 0, 255, 255]);
    // Outlined: 2 CSS px inside the active object's left edge is the outline colour (white).
    const blueLeft = (BLUE.cx - BLUE.rx) * W;
    const inside = 2 / 0.6; // image px per 2 CSS px at 600 px wide
    expect(overlayAt(element, blueLeft + inside, BLUE.cy * H)).to.deep.equal([255, 255, 255, 255]);
    expect(overlayAt(element, 0.5 * W - inside, 300)).to.deep.equal([255, 0, 0, 255]); // object 1: no outline
    // On top: object 2 grows into object 1's box; the overlap shows the active object.
    await element.addPoint(...at(RED));
    await frames();
    expect(overlayAt(element, ...beside(RED))).to.deep.equal([0, 0, 255, 255]);
    element.activeObject = 1;
    await frames();
    expect(overlayAt(element, ...beside(RED))).to.deep.equal([255, 0, 0, 255]);
    expect(overlayAt(element, 0.5 * W - inside, 300)).to.deep.equal([255, 255, 255, 255]);
  });

  it('exports take {object}: mask PNG, polygons and COCO RLE of the object asked for', async () => {
    const element = await ready();
    await element.addPoint(...at(RED));
    element.addObject();
    await element.addPoint(...at(BLUE));
    const truth = [groundTruth(W, H, [RED, TWIN]), groundTruth(W, H, [BLUE])];
    for (const id of [1, 2]) {
      const rle = await element.toCocoRle({ object: id });
      expect(iou(decodeCocoRle(rle), element.objects[id - 1].mask!)).to.equal(1);
      expect(iou(decodeCocoRle(rle), truth[id - 1])).to.be.at.least(0.97);
      const png = await createImageBitmap(await element.toBlob({ object: id }));
      const canvas = new OffscreenCanvas(W, H);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(png, 0, 0);
      const pixels = ctx.getImageData(0, 0, W, H).data;
      const [x, y] = id === 1 ? at(RED) : at(BLUE);
      expect(pixels[4 * (Math.floor(y) * W + Math.floor(x))]).to.equal(255);
      const polygons = await element.toPolygons({ object: id });
      expect(polygons.length).to.be.at.least(1);
    }
    // The default is the active object (2).
    expect(iou(decodeCocoRle(await element.toCocoRle()), truth[1])).to.be.at.least(0.97);
    const error = await element.toCocoRle({ object: 7 }).catch((e) => e);
    expect(error.code).to.equal('invalid-argument');
  });
});

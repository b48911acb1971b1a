/**
 * Visible states (architecture.md, "Visible states and errors"; issue 10, item 7): what the
 * visitor sees while the model downloads and compiles and while the image is analysed, the error
 * with its Retry button, retry(), a page's own error content, and replaced texts. Timings come
 * from the test server (rate, delay, a file served later); the assertions are rules about what
 * is shown in each state, never durations.
 */
import { expect } from '@esm-bundle/chai';
import { emulateMedia, resetMouse, sendMouse } from '@web/test-runner-commands';
import '../../dist/sam2-segmenter.js';
import type { ErrorDetail, ImageEncodeDetail, MaskChangeDetail, ProgressDetail } from '../../src/events.js';
import type { Sam2Segmenter } from '../../src/sam2-segmenter.js';
import { onlyIn } from '../engines.js';
import { closeFrames, openFrame, until as untilValue } from '../hosting/helpers.js';
import { colourManifest, settle, until } from '../model/helpers.js';
import { SCENE, createSegmenter, groundTruth, iou, nextEvent, sceneUrl } from '../helpers.js';

const [W, H] = [1000, 600];
const [RED, TWIN, BLUE] = SCENE;
let unique = 0;
const name = (what: string) => `states-${what}-${Date.now()}-${++unique}`;

const normal = (text: string | null | undefined) => text?.replace(/\s+/g, ' ').trim() ?? null;
const shadow = (element: Sam2Segmenter) => element.shadowRoot!;
const part = (element: Sam2Segmenter, name: string) => shadow(element).querySelector<HTMLElement>(`[part~="${name}"]`);
const statusText = (element: Sam2Segmenter) => normal(part(element, 'status')?.querySelector('.status-text')?.textContent);
const liveRegion = (element: Sam2Segmenter) => normal(shadow(element).querySelector('[role="status"][aria-live]')!.textContent)!;
/** The error part, once rendered (the error event comes a microtask before the failed Task re-renders). */
async function errorShown(element: Sam2Segmenter): Promise<HTMLElement> {
  await until(() => part(element, 'error') !== null, 'the error part shows');
  await element.updateComplete;
  return part(element, 'error')!;
}
const visible = (el: Element | null) => {
  if (!el) return false;
  const rect = el.getBoundingClientRect();
  return rect.width > 20 && rect.height > 10 && getComputedStyle(el).visibility !== 'hidden';
};

/**
 * The bar as the visitor sees it: the fill's box across the bar (0 = its left end, 1 = its right
 * end; a fill slid partly out of the bar has left < 0), its opacity, and what the element animates.
 */
function bar(element: Sam2Segmenter) {
  const progress = part(element, 'progress')!;
  const fill = progress.firstElementChild as HTMLElement;
  const box = progress.getBoundingClientRect();
  const f = fill.getBoundingClientRect();
  const at = (x: number) => Math.round(((x - box.left) / box.width) * 1000) / 1000;
  return { left: at(f.left), right: at(f.right), opacity: Number(getComputedStyle(fill).opacity), transform: getComputedStyle(fill).transform };
}
/** Every CSS animation and transition in the element's shadow tree (none may run while loading). */
const animations = (element: Sam2Segmenter) => shadow(element).getAnimations().map((a) => `${a.constructor.name} ${(a as CSSAnimation).animationName ?? (a as CSSTransition).transitionProperty}`);
/** Counts changes of an element's style (the CSSOM writes that move the bar), attached or not. */
function styleWrites(target: Element) {
  const counter = { count: 0, stop: () => observer.disconnect() };
  const observer = new MutationObserver((records) => (counter.count += records.length));
  observer.observe(target, { attributes: true, attributeFilter: ['style'] });
  return counter;
}
/**
 * The page's repeating timers (setInterval) started from now on and not cleared yet; restore()
 * puts the originals back. Nothing else on these pages repeats a timer.
 */
function intervalTimers() {
  const live = new Set<unknown>();
  const { setInterval: set, clearInterval: clear } = window;
  window.setInterval = ((handler: TimerHandler, ms?: number, ...args: unknown[]) => {
    const id = set(handler, ms, ...args);
    live.add(id);
    return id;
  }) as typeof window.setInterval;
  window.clearInterval = ((id?: number) => {
    live.delete(id);
    clear(id);
  }) as typeof window.clearInterval;
  return { get live() { return live.size; }, restore: () => Object.assign(window, { setInterval: set, clearInterval: clear }) };
}

/** A repository image behind the test server, answered after `ms` (each URL is fetched afresh). */
const slowImage = (ms: number, path = 'demo/images/landscape.jpg') => new URL(`/__serve/delay=${ms}/${path}?${++unique}`, location.origin).href;

/** The colour model's manifest with absolute part URLs, as a page would host it. */
async function manifestText(): Promise<string> {
  const manifest = await colourManifest({ name: name('served') });
  return JSON.stringify(manifest);
}

async function put(path: string, body: BodyInit, type: string) {
  const response = await fetch(path, { method: 'PUT', body, headers: { 'Content-Type': type } });
  expect(response.status).to.equal(204);
}

async function axeViolations(element: Element): Promise<string[]> {
  const win = window as unknown as { axe?: { run(ctx: Element, o: object): Promise<{ violations: Array<{ id: string; help: string }> }> } };
  if (!win.axe) {
    await new Promise<void>((resolve, reject) => {
      const script = Object.assign(document.createElement('script'), { src: '/node_modules/axe-core/axe.min.js' });
      script.onload = () => resolve();
      script.onerror = reject;
      document.head.append(script);
    });
  }
  const results = await win.axe!.run(element, { resultTypes: ['violations'] });
  return results.violations.map((v) => `${v.id}: ${v.help}`);
}

describe('<sam2-segmenter> visible states', () => {
  afterEach(async () => {
    await resetMouse();
    closeFrames();
    document.querySelectorAll('sam2-segmenter').forEach((el) => el.remove());
  });

  it('while a slow model downloads, part=status shows "Downloading model… N %" (N never decreasing), then "Preparing…", and is gone when ready', async () => {
    const element = createSegmenter({ style: 'width: 600px' });
    element.model = await colourManifest({ name: name('download'), encoder: 'rate=3000', decoder: 'rate=3000' });
    const seen: Array<{ phase: ProgressDetail['phase']; fraction: number; text: string | null; live: string; valuetext: string | null | undefined; fill: number; animations: string[] }> = [];
    element.addEventListener('progress', (event) => {
      const { phase, fraction } = (event as CustomEvent<ProgressDetail>).detail;
      void element.updateComplete.then(() => {
        if (element.status !== 'loading') return;
        const valuetext = normal(part(element, 'progress')?.getAttribute('aria-valuetext'));
        seen.push({ phase, fraction, text: statusText(element), live: liveRegion(element), valuetext, fill: bar(element).right, animations: animations(element) });
      });
    });
    element.src = await sceneUrl(W, H);
    await nextEvent(element, 'model-load');
    await element.updateComplete;
    const downloads = seen.filter((s) => s.phase === 'download');
    const percents = downloads.map((s) => Number(/^Downloading model… (\d+)\s%$/.exec(s.text ?? '')?.[1] ?? Number.NaN));
    expect(percents.every(Number.isFinite), JSON.stringify(downloads.map((s) => s.text))).to.equal(true);
    expect(percents.some((p) => p > 0 && p < 100), `a percentage on the way: ${percents}`).to.equal(true);
    expect(percents.every((p, i) => i === 0 || p >= percents[i - 1]), `never decreasing: ${percents}`).to.equal(true);
    // The bar is the same fraction, for assistive technology too; the live region says the text.
    expect(downloads.every((s) => s.valuetext === s.text)).to.equal(true);
    expect(downloads.every((s) => s.live === s.text)).to.equal(true);
    // The fill is the fraction at once (no transition catching up with it), nothing animated.
    const off = downloads.filter((s) => Math.abs(s.fill - s.fraction) > 0.005).map((s) => `${s.fill} for ${s.fraction}`);
    expect(off, 'the fill is the fraction').to.deep.equal([]);
    expect(downloads.flatMap((s) => s.animations), 'no CSS animation or transition runs').to.deep.equal([]);
    expect(seen.filter((s) => s.phase === 'compile').map((s) => s.text)).to.include('Preparing…');
    await nextEvent(element, 'image-encode');
    await element.updateComplete;
    expect(part(element, 'status')).to.equal(null);
    expect(element.status).to.equal('ready');
  });

  it('while the encoder runs, part=status shows "Analysing image…" and a bar stepped by a timer, no CSS animation: a sweep, then once an encode of that model ran on the page, its time and a fill over it', async () => {
    const timers = intervalTimers();
    try {
      const element = createSegmenter({ style: 'width: 600px' });
      element.model = await colourManifest({ name: name('encode') });
      await nextEvent(element, 'model-load');
      const firstEncode = nextEvent<ImageEncodeDetail>(element, 'image-encode');
      element.src = slowImage(2000);
      await until(() => element.status === 'encoding' && statusText(element) !== null, 'the encode shows');
      expect(statusText(element)).to.equal('Analysing image…');
      expect(visible(part(element, 'status'))).to.equal(true);
      expect(part(element, 'status')!.dataset.mode).to.equal('indeterminate');
      // No time known: a segment that moves across the bar between samples (the timer's steps).
      const writes = styleWrites(part(element, 'progress')!);
      const sweep: Array<ReturnType<typeof bar>> = [];
      for (let i = 0; i < 8; i++) {
        expect(animations(element), 'no CSS animation or transition runs').to.deep.equal([]);
        if (element.status === 'encoding') sweep.push(bar(element));
        await settle(150);
      }
      expect(sweep.length, 'sampled during the encode').to.be.at.least(6);
      expect(new Set(sweep.map((b) => b.left)).size, `the sweep moves: ${sweep.map((b) => b.left)}`).to.be.at.least(3);
      expect(sweep.every((b) => b.right > 0 && b.left < 1 && b.right - b.left < 0.5), 'a segment within the bar').to.equal(true);
      expect(writes.count, 'the bar changed between renders').to.be.at.least(3);
      writes.stop();
      const estimateMs = (await firstEncode).detail.ms;
      await element.updateComplete;
      expect(part(element, 'status')).to.equal(null);

      // The next image: the time the first took, in whole seconds (at least 1), and a bar
      // filling over it, slowing down near its end; after that time it creeps on, never full.
      element.src = slowImage(estimateMs + 1500, 'demo/images/portrait.jpg');
      await until(() => element.status === 'encoding' && statusText(element) !== null, 'the second encode shows');
      const shown = performance.now();
      expect(statusText(element)).to.match(/^Analysing image… about [1-9]\d*\ss$/);
      expect(part(element, 'status')!.dataset.mode).to.equal('estimate');
      expect(part(element, 'progress')!.hasAttribute('aria-valuenow'), 'no fraction is claimed during the encode').to.equal(false);
      const first = bar(element);
      await settle(700);
      expect(element.status, 'still encoding').to.equal('encoding');
      const later = bar(element);
      expect(animations(element), 'no CSS animation or transition runs').to.deep.equal([]);
      expect(first.right, 'it starts near empty').to.be.within(0.015, 0.8);
      expect(later.right, `it fills: ${first.right} -> ${later.right}`).to.be.above(first.right);
      expect(later.right).to.be.below(0.93);
      expect(first.left, 'the fill starts at the bar\'s left end').to.be.below(0);
      await settle(Math.max(0, estimateMs + 300 - (performance.now() - shown)));
      expect(element.status, 'still encoding after the usual time').to.equal('encoding');
      expect(bar(element).right, 'past the usual time: near the end, not full').to.be.within(0.9, 0.99);
      const progress = part(element, 'progress')!;
      const after = styleWrites(progress);
      await nextEvent(element, 'image-encode');
      await element.updateComplete;
      expect(part(element, 'status')).to.equal(null);
      // Ready: the timer is gone and the (removed) bar is no longer written to.
      const count = after.count;
      await settle(700);
      expect(after.count, 'no writes after ready').to.equal(count);
      after.stop();
      expect(timers.live, 'no repeating timer left').to.equal(0);
    } finally {
      timers.restore();
    }
  });

  it('the bar\'s timer runs only while its bar shows: none once the element is removed mid-encode, none when slot="progress" replaces the bar', async () => {
    const timers = intervalTimers();
    try {
      const element = createSegmenter({ style: 'width: 600px' });
      element.model = await colourManifest({ name: name('timer') });
      await nextEvent(element, 'model-load');
      element.src = slowImage(3000);
      await until(() => element.status === 'encoding' && statusText(element) !== null, 'the encode shows');
      expect(timers.live, 'a timer steps the bar').to.be.at.least(1);
      element.remove();
      expect(timers.live, 'removed: no timer').to.equal(0);

      const own = createSegmenter({ style: 'width: 600px' });
      own.innerHTML = '<p slot="progress">Einen Moment…</p>';
      own.model = await colourManifest({ name: name('timer-slot') });
      await nextEvent(own, 'model-load');
      own.src = slowImage(1000);
      await until(() => own.status === 'encoding', 'the second element encodes');
      await own.updateComplete;
      await settle(300);
      expect(timers.live, "the page's own status: no timer").to.equal(0);
      await nextEvent(own, 'image-encode');
    } finally {
      timers.restore();
    }
  });

  it('with prefers-reduced-motion nothing moves while the encoder runs: a full bar whose opacity steps', async function () {
    onlyIn(this, ['chromium'], 'media emulation (emulateMedia) is a Chromium DevTools feature');
    await emulateMedia({ reducedMotion: 'reduce' });
    try {
      const element = createSegmenter({ style: 'width: 600px' });
      element.model = await colourManifest({ name: name('motion') });
      await nextEvent(element, 'model-load');
      element.src = slowImage(2000);
      await until(() => element.status === 'encoding' && statusText(element) !== null, 'the encode shows');
      const samples: Array<ReturnType<typeof bar>> = [];
      for (let i = 0; i < 8; i++) {
        expect(animations(element), 'no CSS animation or transition runs').to.deep.equal([]);
        if (element.status === 'encoding') samples.push(bar(element));
        await settle(150);
      }
      expect(samples.length, 'sampled during the encode').to.be.at.least(6);
      expect(samples.every((b) => b.left === 0 && b.right === 1 && b.transform === 'none'), JSON.stringify(samples)).to.equal(true);
      const opacities = new Set(samples.map((b) => b.opacity));
      expect(opacities.size, `its opacity steps: ${[...opacities]}`).to.be.at.least(2);
      expect([...opacities].every((o) => o >= 0.4 && o <= 1)).to.equal(true);
      await nextEvent(element, 'image-encode');
    } finally {
      await emulateMedia({ reducedMotion: 'no-preference' });
    }
  });

  it('clicks made while loading are drawn pending and counted in the status, then applied', async () => {
    const element = createSegmenter({ style: 'width: 600px' });
    element.model = await colourManifest({ name: name('pending'), encoder: 'delay=1500', download: { stallTimeout: 10000 } });
    element.src = await sceneUrl(W, H);
    await until(() => !!shadow(element).querySelector<HTMLImageElement>('img.image')?.naturalWidth, 'the image shows');
    await element.updateComplete;
    const frame = shadow(element).querySelector('.frame')!.getBoundingClientRect();
    const s = frame.width / W;
    const changed = nextEvent<MaskChangeDetail>(element, 'mask-change');
    // A click through the status pill (it covers the bottom of the image but takes no clicks),
    // on the blue rectangle, then one at the rectangle's centre.
    const pill = part(element, 'status')!.getBoundingClientRect();
    const x = Math.round(frame.left + BLUE.cx * W * s);
    const throughPill = Math.round(pill.top + 5);
    expect(Math.abs((throughPill - frame.top) / s - BLUE.cy * H), 'the pill lies over the blue rectangle').to.be.below(BLUE.ry * H);
    await sendMouse({ type: 'click', position: [x, throughPill] });
    await sendMouse({ type: 'click', position: [x, Math.round(frame.top + BLUE.cy * H * s)] });
    await element.updateComplete;
    expect(element.status).to.equal('loading');
    expect(statusText(element)).to.match(/2 clicks will be applied when ready$/);
    const { detail } = await changed;
    expect(detail.prompts.points).to.have.length(2);
    expect(iou(detail.mask!, groundTruth(W, H, [BLUE]))).to.be.at.least(0.97);
  });

  it('a 404 model shows part=error (role=alert) with the message and a Retry button; retry() once the file is served gives model-load and a mask', async () => {
    const manifestPath = `/__mutable/${name('missing')}.json`;
    const element = createSegmenter({ model: manifestPath, style: 'width: 600px' });
    const failed = nextEvent<ErrorDetail>(element, 'error');
    element.src = await sceneUrl(W, H);
    const { detail } = await failed;
    expect(detail.code).to.equal('model-fetch-failed');
    const error = await errorShown(element);
    expect(visible(error)).to.equal(true);
    expect(error.getAttribute('role')).to.equal('alert');
    expect(error.dataset.code).to.equal('model-fetch-failed');
    expect(error.textContent).to.contain('The model could not be loaded.');
    expect(error.textContent).to.contain(detail.message);
    const button = error.querySelector('button')!;
    expect(button.textContent!.trim()).to.equal('Retry');
    expect(visible(button)).to.equal(true);
    // Over the image: it covers the frame.
    const frame = part(element, 'base')!.getBoundingClientRect();
    const box = error.getBoundingClientRect();
    expect([box.left, box.top, box.width, box.height].map(Math.round)).to.deep.equal([frame.left, frame.top, frame.width, frame.height].map(Math.round));
    expect(liveRegion(element)).to.equal('The model could not be loaded.');
    expect(await axeViolations(element)).to.deep.equal([]);

    await put(manifestPath, await manifestText(), 'application/json');
    const loaded = nextEvent(element, 'model-load');
    await element.retry();
    await loaded;
    await element.updateComplete;
    expect(element.status).to.equal('ready');
    expect(part(element, 'error')).to.equal(null);
    const result = await element.addPoint(RED.cx * W, RED.cy * H);
    expect(iou(result!.mask!, groundTruth(W, H, [RED, TWIN]))).to.be.at.least(0.97);
  });

  it('the Retry button reloads an image that failed (it is served now) and the element segments it', async () => {
    const imagePath = `/__mutable/${name('photo')}.png`;
    const element = createSegmenter({ style: 'width: 600px' });
    await nextEvent(element, 'model-load');
    const failed = nextEvent<ErrorDetail>(element, 'error');
    element.src = imagePath;
    expect((await failed).detail.code).to.equal('image-load-failed');
    const error = await errorShown(element);
    expect(error.textContent).to.contain('The image could not be loaded.');
    await put(imagePath, await (await fetch(await sceneUrl(W, H))).blob(), 'image/png');
    const encoded = nextEvent(element, 'image-encode');
    const rect = error.querySelector('button')!.getBoundingClientRect();
    await sendMouse({ type: 'click', position: [Math.round(rect.left + rect.width / 2), Math.round(rect.top + rect.height / 2)] });
    await encoded;
    await element.updateComplete;
    expect(part(element, 'error')).to.equal(null);
    expect(element.prompts.points, 'the click on Retry is no prompt').to.have.length(0);
    await until(() => !!shadow(element).querySelector<HTMLImageElement>('img.image')?.naturalWidth, 'the image shows again');
    const result = await element.addPoint(BLUE.cx * W, BLUE.cy * H);
    expect(iou(result!.mask!, groundTruth(W, H, [BLUE]))).to.be.at.least(0.97);
  });

  it('retry() rejects with the error when the step fails again, and resolves at once when nothing failed', async () => {
    const element = createSegmenter({ model: '/__fail/404/manifest.json' });
    const failed = nextEvent<ErrorDetail>(element, 'error');
    element.src = await sceneUrl(W, H);
    await failed;
    const again = await element.retry().catch((e) => e);
    expect(again.code).to.equal('model-fetch-failed');
    expect(element.status).to.equal('error');
    const good = createSegmenter();
    good.src = await sceneUrl(W, H);
    await nextEvent(good, 'image-encode');
    await good.retry();
    expect(good.status).to.equal('ready');
  });

  it('a worker that could not start shows the error; retry() after the page fixed basePath starts it and segments', async () => {
    // A frame: its own element class and worker clients (the worker is given up there only). A
    // path of its own: the hosting tests count the requests for theirs.
    const { api, record } = await openFrame('/test/hosting/frame.html?base=/__fail/404/states-app/');
    const error = await untilValue(() => record.errors.find((e) => !e.recoverable), 'the final error');
    expect(error.code).to.equal('worker-crashed');
    const element = api.element;
    const errorPart = await errorShown(element);
    expect(errorPart.dataset.code).to.equal('worker-crashed');
    expect(errorPart.textContent).to.contain('HTTP 404');
    (element.constructor as typeof Sam2Segmenter).basePath = null;
    await element.retry();
    expect(element.status).to.equal('ready');
    expect(await api.segment()).to.be.at.least(0.97);
    await element.updateComplete;
    expect(part(element, 'error')).to.equal(null);
  });

  it("a page's slot=error content replaces the default message and button", async () => {
    const element = document.createElement('sam2-segmenter');
    element.loading = 'eager';
    element.innerHTML = '<div slot="error" id="own-error">Sorry, the cut-out tool is unavailable. <button>Try again</button></div>';
    element.model = '/__fail/404/manifest.json';
    document.body.append(element);
    const failed = nextEvent<ErrorDetail>(element, 'error');
    element.src = await sceneUrl(W, H);
    await failed;
    const error = await errorShown(element);
    const slot = error.querySelector<HTMLSlotElement>('slot[name="error"]')!;
    expect(slot.assignedElements()).to.deep.equal([element.querySelector('#own-error')]);
    expect(visible(element.querySelector('#own-error'))).to.equal(true);
    expect(visible(error.querySelector('.error-box'))).to.equal(false);
  });

  it('strings replaces the shown and announced texts (status, error, Retry button)', async () => {
    const element = createSegmenter({ style: 'width: 600px' });
    element.strings = {
      downloading: (percent) => `Modell wird geladen… ${percent} %`,
      errorModel: 'Das Modell konnte nicht geladen werden.',
      retry: 'Erneut versuchen',
    };
    element.model = await colourManifest({ name: name('strings'), encoder: 'rate=3000', decoder: 'rate=3000' });
    element.src = await sceneUrl(W, H);
    await until(() => /^Modell wird geladen… \d+ %$/.test(statusText(element) ?? ''), 'the replaced download text shows');
    expect(liveRegion(element)).to.match(/^Modell wird geladen… \d+ %$/);
    await nextEvent(element, 'image-encode');
    const failed = nextEvent<ErrorDetail>(element, 'error');
    element.model = '/__fail/404/manifest.json';
    await failed;
    const error = await errorShown(element);
    expect(error.querySelector('.error-title')!.textContent).to.equal('Das Modell konnte nicht geladen werden.');
    expect(error.querySelector('button')!.textContent!.trim()).to.equal('Erneut versuchen');
    expect(liveRegion(element)).to.equal('Das Modell konnte nicht geladen werden.');
    // Other texts keep their defaults; an entry of the wrong kind is ignored.
    element.strings = { retry: 42 as unknown as string };
    await element.updateComplete;
    expect(part(element, 'error')!.querySelector('button')!.textContent!.trim()).to.equal('Retry');
  });

  it('while loading, the element has no axe violations and the progress bar is named', async () => {
    const element = createSegmenter({ style: 'width: 600px' });
    element.model = await colourManifest({ name: name('axe'), encoder: 'rate=2000', decoder: 'rate=2000' });
    element.src = await sceneUrl(W, H);
    await until(() => /^Downloading model…/.test(statusText(element) ?? ''), 'downloading shows');
    const bar = part(element, 'progress')!;
    expect(bar.getAttribute('role')).to.equal('progressbar');
    expect(bar.getAttribute('aria-label')).to.equal('Loading');
    expect(await axeViolations(element)).to.deep.equal([]);
    await nextEvent(element, 'image-encode');
  });
});

/**
 * The loading status bar's clock (architecture.md, "Visible states and errors"). While the
 * encoder runs the bar moves in steps from a 4 Hz timer, never by a CSS animation or transition:
 * a CSS animation makes the browser produce a frame every vsync (0.1-0.2 CPU-s per second,
 * taken from onnxruntime's threads on 2 cores), four steps a second 0.02-0.03, a still page 0.01
 * (bench/status-animation.mjs --pill).
 *
 * One custom property on `part="progress"`, `--_bar`, set through the CSSOM (no style attribute
 * is parsed, so a strict `style-src` keeps it), says where the bar is:
 * - `determinate` (download, compile): the job's fraction, written after each render (the
 *   element renders once per `progress` event); no timer.
 * - `estimate` (an encode whose usual time is known): the fill, 2 % to 92 % along the same
 *   ease-out curve the CSS animation had over that time, then creeping on towards 98 % (never
 *   1) when the encode takes longer.
 * - `indeterminate` (no time known yet): a sweep's position, one of 8 (a 35 % segment stepping
 *   across the bar every 2 s).
 * - With `prefers-reduced-motion: reduce`, in both encode modes: nothing moves; the bar is full
 *   and `--_bar` is its opacity, stepped every 500 ms (1, 0.7, 0.45, 0.7) so it still reads as
 *   "working". The text carries the estimate.
 *
 * The timer runs only while an encode's bar is shown: it stops when the status hides, a page's
 * own `slot="progress"` content replaces it, the element disconnects or the page is hidden, and
 * starts again (from the encode's start, so the bar catches up) when that is undone.
 */
import type { ReactiveController } from 'lit';
import type { SegmenterHost } from './host.js';

/** What the clock needs of the status shown (states.ts's LoadingView). */
export interface BarView {
  mode: 'determinate' | 'estimate' | 'indeterminate';
  fraction: number;
  estimateMs: number | null;
  job: unknown;
}

/**
 * The bar's step: 4 Hz. 2 Hz measured ~0.01 CPU-s/s less (0.018-0.037 vs 0.025-0.046 on a busy
 * 2-core machine), but a 2 s encode would show 4 steps: 4 Hz still reads as moving.
 */
export const TICK_MS = 250;
/** The custom property the clock sets on `part="progress"`. */
export const BAR_PROPERTY = '--_bar';

const SWEEP_STEPS = 8;
const PULSE = [1, 0.7, 0.45, 0.7];
const PULSE_STEP_MS = 500;

/** y of cubic-bezier(x1, y1, x2, y2) at x (what CSS's timing function gives). */
function cubicBezier(x1: number, y1: number, x2: number, y2: number, x: number): number {
  const at = (a: number, b: number, t: number) => 3 * a * (1 - t) * (1 - t) * t + 3 * b * (1 - t) * t * t + t * t * t;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (at(x1, x2, mid) < x) lo = mid;
    else hi = mid;
  }
  return at(y1, y2, (lo + hi) / 2);
}

/** The estimate bar's fill after `elapsed` ms of an encode usually taking `estimateMs`. */
export function estimateFill(elapsed: number, estimateMs: number): number {
  const x = Math.max(0, elapsed) / Math.max(1, estimateMs);
  if (x < 1) return 0.02 + 0.9 * cubicBezier(0.25, 0.6, 0.35, 1, x);
  return 0.92 + 0.06 * (1 - Math.exp(-(x - 1)));
}

/** The indeterminate sweep's position in [0, 1) (the segment's place across the bar). */
export function sweepAt(elapsed: number): number {
  return ((Math.floor(Math.max(0, elapsed) / TICK_MS) % SWEEP_STEPS) + 0.5) / SWEEP_STEPS;
}

/** The reduced-motion bar's opacity. */
export function pulseAt(elapsed: number): number {
  return PULSE[Math.floor(Math.max(0, elapsed) / PULSE_STEP_MS) % PULSE.length];
}

export class LoadingClock implements ReactiveController {
  private _timer: ReturnType<typeof setInterval> | null = null;
  private _view: BarView | null = null;
  private _bar: HTMLElement | null = null;
  /** What the current movement started for (mode, estimate, job) and when. */
  private _key: unknown[] | null = null;
  private _started = 0;
  private _reducedMotion: MediaQueryList | null = null;

  constructor(
    private readonly _host: SegmenterHost,
    /** The status shown now (null when hidden). */
    private readonly _loading: () => BarView | null,
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    const doc = this._host.ownerDocument;
    doc.addEventListener('visibilitychange', this._sync);
    this._reducedMotion = doc.defaultView?.matchMedia?.('(prefers-reduced-motion: reduce)') ?? null;
    this._reducedMotion?.addEventListener('change', this._sync);
    this._sync();
  }

  hostDisconnected(): void {
    this._host.ownerDocument.removeEventListener('visibilitychange', this._sync);
    this._reducedMotion?.removeEventListener('change', this._sync);
    this._reducedMotion = null;
    this._stop();
  }

  hostUpdated(): void {
    this._view = this._loading();
    this._bar = this._view ? this._host.renderRoot.querySelector<HTMLElement>('[part~="progress"]') : null;
    this._sync();
  }

  private readonly _sync = () => {
    const view = this._view;
    const bar = this._bar;
    if (!view || !bar || !bar.isConnected || !this._host.isConnected || replaced(bar)) {
      this._stop();
      this._key = null;
      return;
    }
    const key = [view.mode, view.estimateMs, view.job];
    if (!this._key || key.some((v, i) => v !== this._key![i])) {
      this._key = key;
      this._started = performance.now();
    }
    this._write();
    const moving = view.mode !== 'determinate' && !this._host.ownerDocument.hidden;
    if (moving && this._timer === null) this._timer = setInterval(this._write, TICK_MS);
    else if (!moving) this._stop();
  };

  private readonly _write = () => {
    const view = this._view;
    const bar = this._bar;
    if (!view || !bar) return;
    const elapsed = performance.now() - this._started;
    const value =
      view.mode === 'determinate'
        ? view.fraction
        : this._reducedMotion?.matches
          ? pulseAt(elapsed)
          : view.mode === 'estimate'
            ? estimateFill(elapsed, view.estimateMs ?? 10000)
            : sweepAt(elapsed);
    const text = value.toFixed(3);
    if (bar.style.getPropertyValue(BAR_PROPERTY) !== text) bar.style.setProperty(BAR_PROPERTY, text);
  };

  private _stop() {
    if (this._timer !== null) clearInterval(this._timer);
    this._timer = null;
  }
}

/** A page's `slot="progress"` content is shown instead of the default bar. */
function replaced(bar: HTMLElement): boolean {
  const slot = bar.closest('slot');
  return !!slot && slot.assignedNodes().length > 0;
}

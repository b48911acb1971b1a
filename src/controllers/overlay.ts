/**
 * The overlay canvas: what to paint (every object's mask in its colour, the active one on top and
 * outlined; the active object's prompts, pending ones hollow; drag box, cursor, press ring) and
 * when. Paints are coalesced to one per task (a microtask after the first request), repaint on
 * resize and devicePixelRatio changes, and read the computed style once per change of the
 * element or its content, not on every paint (a hover or a drag repaints many times).
 *
 * Observers are created when the element connects (or first renders) and dropped when it
 * disconnects, symmetrically, so a removed and re-inserted element keeps repainting on resize.
 */
import type { ReactiveController } from 'lit';
import { OverlayPainter, parseCssColor, splitColorList, type OverlayMask, type OverlayStyle, type Rgb } from '../render/overlay.js';
import type { EngineController } from './engine.js';
import type { GesturesController } from './gestures.js';
import type { SegmenterHost } from './host.js';
import type { HoverController } from './hover.js';
import type { ImageFrame } from './image-frame.js';
import type { SegmentationController } from './segmentation.js';

interface CachedStyle {
  overlay: OverlayStyle;
  maskColor: Rgb;
  objectColors: Rgb[];
}

export class OverlayController implements ReactiveController {
  private _painter: OverlayPainter | null = null;
  private _canvas: HTMLCanvasElement | null = null;
  private _resizeObserver: ResizeObserver | null = null;
  private _observedFrame: Element | null = null;
  private _dprQuery: MediaQueryList | null = null;
  private _schemeQuery: MediaQueryList | null = null;
  private _styleObserver: MutationObserver | null = null;
  private _style: CachedStyle | null = null;
  private _scheduled = false;
  private _connected = false;

  constructor(
    private readonly _host: SegmenterHost,
    private readonly _frame: ImageFrame,
    private readonly _engine: EngineController,
    private readonly _segmentation: SegmentationController,
    private readonly _gestures: GesturesController,
    private readonly _hover: HoverController,
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    this._connected = true;
    this._watchDpr();
    this._schemeQuery = matchMedia('(prefers-color-scheme: dark)');
    this._schemeQuery.addEventListener('change', this._onStyleChange);
    // A page theming the element through its style or class attributes.
    this._styleObserver = new MutationObserver(this._onStyleChange);
    this._styleObserver.observe(this._host, { attributes: true, attributeFilter: ['style', 'class'] });
    this._observeFrame();
    this._style = null;
    this.requestPaint();
  }

  hostDisconnected(): void {
    this._connected = false;
    this._resizeObserver?.disconnect();
    this._resizeObserver = null;
    this._observedFrame = null;
    this._dprQuery?.removeEventListener('change', this._onDprChange);
    this._dprQuery = null;
    this._schemeQuery?.removeEventListener('change', this._onStyleChange);
    this._schemeQuery = null;
    this._styleObserver?.disconnect();
    this._styleObserver = null;
  }

  hostUpdated(): void {
    // The frame exists from the first render on; a property change may change the look.
    this._observeFrame();
    this._style = null;
    this.paintNow();
  }

  /** An object's colour as CSS (for the object bar's chips). */
  cssColorOf(id: number): string {
    const [r, g, b] = this._colorOf(this._readStyle(), id);
    return `rgb(${r} ${g} ${b})`;
  }

  /** Paints once, at the end of the current task (several changes in one task cost one paint). */
  requestPaint(): void {
    if (this._scheduled) return;
    this._scheduled = true;
    queueMicrotask(() => {
      this._scheduled = false;
      this.paintNow();
    });
  }

  paintNow(): void {
    const canvas = this._frame.overlay;
    if (!canvas || !this._connected) return;
    if (canvas !== this._canvas) {
      this._canvas = canvas;
      this._painter = new OverlayPainter(canvas);
    }
    const started = performance.now();
    const kind = this._paint(this._painter!);
    // A User Timing entry per overlay paint, for DevTools and the benchmark (PerformanceObserver
    // sees every one); only the latest is kept in the timeline so hovering can't grow it. `detail`
    // says which mask was drawn: the decode's early display-size one, a hover preview, the result.
    performance.clearMeasures('sam2-segmenter:paint');
    performance.measure('sam2-segmenter:paint', { start: started, detail: { mask: kind } });
    this._drawDisplayBitmap();
  }

  private _paint(painter: OverlayPainter): 'early' | 'hover' | 'result' | 'none' {
    const frame = this._frame.element!;
    const dpr = window.devicePixelRatio || 1;
    painter.resize(frame.clientWidth, frame.clientHeight, dpr);
    const view = this._frame.view();
    if (!view) {
      painter.clear();
      return 'none';
    }
    const style = this._readStyle();
    const segmentation = this._segmentation;
    const active = segmentation.active;
    const masks: OverlayMask[] = [];
    for (const object of segmentation.objects.all) {
      if (object === active || !object.result?.mask) continue;
      masks.push({ mask: object.result.mask, color: this._colorOf(style, object.id), outline: false });
    }
    // The active object's mask, by precedence: a decode's early mask, a hover preview, the result.
    const early = segmentation.early?.objectId === active.id ? segmentation.early.mask : null;
    const shown = early ?? this._hover.preview ?? active.result?.mask ?? null;
    const kind = early ? 'early' : this._hover.preview ? 'hover' : shown ? 'result' : 'none';
    if (shown) masks.push({ mask: shown, color: this._colorOf(style, active.id), outline: true });
    const { applied, pending } = segmentation.promptsOf(active);
    painter.paint(
      {
        view,
        masks,
        points: applied.points,
        box: applied.box,
        pendingPoints: pending.points,
        pendingBox: pending.box,
        draftBox: this._gestures.draftBox,
        press: this._gestures.pressRing(),
        cursor: this._gestures.cursor,
      },
      style.overlay,
      dpr,
    );
    return kind;
  }

  /** Object n takes the n-th colour of `--sam2-object-colors` (cycling); its default starts with `--sam2-mask-color`. */
  private _colorOf(style: CachedStyle, id: number): Rgb {
    const list = style.objectColors;
    return list.length ? list[(id - 1) % list.length] : style.maskColor;
  }

  /** A pixel source shown on the display canvas (ImageBitmap / ImageData / canvas inputs). */
  private _drawDisplayBitmap() {
    const display = this._engine.display;
    const canvas = this._host.renderRoot.querySelector<HTMLCanvasElement>('canvas.image');
    if (!canvas || !display || !('bitmap' in display)) return;
    const bitmap = display.bitmap;
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    }
  }

  private _readStyle(): CachedStyle {
    if (this._style) return this._style;
    const css = getComputedStyle(this._host);
    const read = (name: string) => css.getPropertyValue(name).trim();
    const num = (value: string, fallback: number) => (Number.isFinite(parseFloat(value)) ? parseFloat(value) : fallback);
    const maskColor = parseCssColor(read('--sam2-mask-color'), [30, 144, 255]);
    this._style = {
      maskColor,
      objectColors: splitColorList(read('--sam2-object-colors')).map((c) => parseCssColor(c, maskColor)),
      overlay: {
        maskOpacity: num(read('--sam2-mask-opacity'), 0.45),
        outlineColor: parseCssColor(read('--sam2-outline-color'), [255, 255, 255]),
        outlineWidth: num(read('--sam2-outline-width'), 2),
        positiveColor: read('--sam2-point-positive-color') || '#16a34a',
        negativeColor: read('--sam2-point-negative-color') || '#dc2626',
        boxColor: read('--sam2-box-color') || '#facc15',
      },
    };
    return this._style;
  }

  private _observeFrame() {
    const frame = this._frame.element;
    if (!this._connected || !frame || frame === this._observedFrame) return;
    this._resizeObserver ??= new ResizeObserver(() => this.requestPaint());
    if (this._observedFrame) this._resizeObserver.unobserve(this._observedFrame);
    this._resizeObserver.observe(frame);
    this._observedFrame = frame;
  }

  private readonly _onStyleChange = () => {
    this._style = null;
    this.requestPaint();
  };

  private readonly _onDprChange = () => {
    this._watchDpr();
    this.requestPaint();
  };

  /** A media query that matches the current DPR only: its change event fires when it moves. */
  private _watchDpr() {
    this._dprQuery?.removeEventListener('change', this._onDprChange);
    this._dprQuery = matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    this._dprQuery.addEventListener('change', this._onDprChange);
  }
}

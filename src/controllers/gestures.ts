/**
 * The visitor's input, turned into prompt changes: click = positive point, Shift/Alt-click or
 * right-click = negative, press-drag = box, a click on a point removes it; touch: tap = positive,
 * long press = negative (a ring fills meanwhile), a second finger = the page's gesture (pinch);
 * keyboard: arrows move a cursor, Enter / Shift+Enter add points, Delete removes the last,
 * Ctrl/Cmd-Z undo, Shift-Ctrl/Cmd-Z redo, Escape clears; with `multiple`, `n` adds an object and
 * `1`-`9` activate one. Works on the shown image before it is encoded (changes are queued).
 */
import type { ReactiveController } from 'lit';
import { normalizeBox, type PromptBox } from '../geometry/prompts.js';
import { pointNear, toImage } from '../geometry/view.js';
import type { EngineController } from './engine.js';
import type { SegmenterHost } from './host.js';
import type { HoverController } from './hover.js';
import type { ImageFrame } from './image-frame.js';
import * as changes from './prompt-changes.js';
import type { SegmentationController } from './segmentation.js';

/** Pointer travel (CSS px) that turns a press into a box drag. */
const DRAG_THRESHOLD = 6;
/** Radius (CSS px) around a point marker that counts as clicking it: a 24 px target. */
const POINT_HIT_RADIUS = 12;
/** Touch press duration that makes a negative point. */
export const LONG_PRESS_MS = 500;

interface Drag {
  pointerId: number;
  startX: number;
  startY: number;
  start: { x: number; y: number };
  box: PromptBox | null;
  negative: boolean;
  longPress: ReturnType<typeof setTimeout> | null;
  /** performance.now() at the press, for the long-press ring. */
  startedAt: number;
}

const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
const ignore = () => {};

export class GesturesController implements ReactiveController {
  /** Keyboard cursor in image px, once the arrow keys were used. */
  cursor: { x: number; y: number } | null = null;
  private _drag: Drag | null = null;
  /** Pointers currently down on the frame: a second one means a page gesture (pinch), not ours. */
  private readonly _pointers = new Set<number>();

  constructor(
    private readonly _host: SegmenterHost,
    private readonly _engine: EngineController,
    private readonly _segmentation: SegmentationController,
    private readonly _hover: HoverController,
    private readonly _frame: ImageFrame,
    private readonly _hooks: { activate(): void; paint(): void },
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    // Keys go to the focused host, not into the shadow tree.
    this._host.addEventListener('keydown', this.onKeyDown);
  }

  hostDisconnected(): void {
    this._host.removeEventListener('keydown', this.onKeyDown);
    this._pointers.clear();
    this._cancelDrag();
  }

  /** The box being dragged, not yet a prompt. */
  get draftBox(): PromptBox | null {
    return this._drag?.box ?? null;
  }

  /** The long-press ring of a touch press still undecided (no drag, not yet negative). */
  pressRing(): { x: number; y: number; progress: number } | null {
    const drag = this._drag;
    if (!drag?.longPress || drag.box) return null;
    const progress = Math.min(1, (performance.now() - drag.startedAt) / LONG_PRESS_MS);
    return { x: drag.start.x, y: drag.start.y, progress };
  }

  // --- pointer -----------------------------------------------------------------------------

  readonly onPointerDown = (event: PointerEvent) => {
    this._hooks.activate();
    this._pointers.add(event.pointerId);
    if (this._pointers.size > 1) {
      this._cancelDrag();
      return;
    }
    if (this._host.disabled || (event.button !== 0 && event.button !== 2)) return;
    const view = this._frame.clientView();
    const start = view && toImage(view, event.clientX, event.clientY);
    if (!start) return;
    event.preventDefault();
    this._host.focus({ preventScroll: true });
    this.cursor = null;
    try {
      // Keeps the drag when the pointer leaves the frame; fails harmlessly for synthetic events.
      this._frame.element?.setPointerCapture(event.pointerId);
    } catch {
      /* no active pointer with that id */
    }
    const drag: Drag = {
      pointerId: event.pointerId,
      startX: event.clientX,
      startY: event.clientY,
      start,
      box: null,
      negative: event.button === 2 || event.shiftKey || event.altKey,
      longPress: null,
      startedAt: performance.now(),
    };
    // Touch has no modifier keys: a long press places a negative point.
    if (event.pointerType === 'touch') {
      drag.longPress = setTimeout(() => {
        drag.longPress = null;
        if (this._drag !== drag || drag.box) return;
        drag.negative = true;
        navigator.vibrate?.(15);
        this._finish(drag, event);
      }, LONG_PRESS_MS);
      // A ring fills around the finger while the press lasts: what a long press will do is visible.
      const tick = () => {
        if (this._drag !== drag || !drag.longPress) return;
        this._hooks.paint();
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }
    this._drag = drag;
  };

  readonly onPointerMove = (event: PointerEvent) => {
    const drag = this._drag;
    if (!drag) {
      if (this._host.hoverPreview && !this._host.disabled && event.pointerType !== 'touch' && this._pointers.size === 0) this._hoverAt(event);
      return;
    }
    if (drag.pointerId !== event.pointerId) return;
    if (!drag.box && Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) < DRAG_THRESHOLD) return;
    const view = this._frame.clientView();
    const end = view && toImage(view, event.clientX, event.clientY, true);
    if (!end) return;
    if (drag.longPress) clearTimeout(drag.longPress);
    drag.longPress = null;
    drag.box = { x1: drag.start.x, y1: drag.start.y, x2: end.x, y2: end.y };
    this._hooks.paint();
  };

  readonly onPointerUp = (event: PointerEvent) => {
    this._pointers.delete(event.pointerId);
    const drag = this._drag;
    if (!drag || drag.pointerId !== event.pointerId) return;
    this._finish(drag, event);
  };

  readonly onPointerCancel = (event: PointerEvent) => {
    this._pointers.delete(event.pointerId);
    this._cancelDrag();
  };

  readonly onPointerLeave = (event: PointerEvent) => {
    if (event.pointerType !== 'touch') this._hover.clear();
  };

  readonly onContextMenu = (event: Event) => {
    // Right-click is a negative point, not the browser menu.
    if (this._frame.imageSize()) event.preventDefault();
  };

  /** A press ends as a box (dragged), a point removal (pressed on a point) or a new point. */
  private _finish(drag: Drag, at: { clientX: number; clientY: number }) {
    if (drag.longPress) clearTimeout(drag.longPress);
    this._drag = null;
    const segmentation = this._segmentation;
    if (drag.box) {
      const box = normalizeBox(drag.box);
      // A box smaller than a pixel is a slip, not a prompt.
      if (box.x2 - box.x1 < 1 || box.y2 - box.y1 < 1) return this._hooks.paint();
      void segmentation.change(changes.setBox(box, 'user')).catch(ignore);
      return;
    }
    const points = segmentation.currentPrompts().points;
    const view = this._frame.clientView();
    const hit = view ? pointNear(view, points, at.clientX, at.clientY, POINT_HIT_RADIUS) : -1;
    const change = hit >= 0 ? changes.removePoint(points[hit], 'user') : changes.addPoint({ ...drag.start, label: drag.negative ? 0 : 1 }, 'user');
    void segmentation.change(change).catch(ignore);
  }

  private _cancelDrag() {
    if (this._drag?.longPress) clearTimeout(this._drag.longPress);
    this._drag = null;
    this._hooks.paint();
  }

  private _hoverAt(event: PointerEvent) {
    const view = this._frame.clientView();
    if (!this._engine.ready || !view) return;
    const point = toImage(view, event.clientX, event.clientY);
    if (!point || pointNear(view, this._segmentation.active.prompts.points, event.clientX, event.clientY, POINT_HIT_RADIUS) >= 0) {
      this._hover.clear();
      return;
    }
    this._hover.at(point);
  }

  // --- keyboard ----------------------------------------------------------------------------

  readonly onKeyDown = (event: KeyboardEvent) => {
    const segmentation = this._segmentation;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === 'z') {
      event.preventDefault();
      void (event.shiftKey ? segmentation.redo('user') : segmentation.undo('user')).catch(ignore);
      return;
    }
    if (event.key === 'Escape') {
      const prompts = segmentation.currentPrompts();
      if (prompts.points.length || prompts.box || segmentation.active.result) {
        event.preventDefault();
        segmentation.clear('api');
      }
      return;
    }
    const target = event.composedPath()[0];
    if (this._host.multiple && !mod && !event.altKey && !isEditable(target) && this._objectKey(event)) return;
    // Enter on a toolbar button (or slotted content) is that control's, not a new point.
    if (this._host.disabled || target !== this._host) return;
    const size = this._frame.imageSize();
    if (!size) return;
    if (event.key in ARROWS) {
      event.preventDefault();
      const step = (event.shiftKey ? 0.1 : 0.02) * Math.max(size.width, size.height);
      const cursor = this.cursor ?? { x: size.width / 2, y: size.height / 2 };
      const [dx, dy] = ARROWS[event.key];
      this.cursor = { x: clamp(cursor.x + dx * step, 0, size.width - 1), y: clamp(cursor.y + dy * step, 0, size.height - 1) };
      this._hooks.paint();
      return;
    }
    if (event.key === 'Enter') {
      event.preventDefault();
      this._hooks.activate();
      const cursor = this.cursor ?? { x: size.width / 2, y: size.height / 2 };
      this.cursor = cursor;
      void segmentation.change(changes.addPoint({ ...cursor, label: event.shiftKey ? 0 : 1 }, 'user')).catch(ignore);
      return;
    }
    if ((event.key === 'Delete' || event.key === 'Backspace') && segmentation.currentPrompts().points.length) {
      event.preventDefault();
      void segmentation.change(changes.removeLastPoint('user')).catch(ignore);
    }
  };

  /** `n` / `N`: a new object; `1`-`9`: activate that object. True when the key was one of them. */
  private _objectKey(event: KeyboardEvent): boolean {
    if (event.key === 'n' || event.key === 'N') {
      event.preventDefault();
      this._segmentation.addObject();
      return true;
    }
    if (/^[1-9]$/.test(event.key)) {
      event.preventDefault();
      this._segmentation.activate(Number(event.key));
      return true;
    }
    return false;
  }
}

function isEditable(target: EventTarget | undefined): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

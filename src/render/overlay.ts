/**
 * Paints the masks (fill + outline) and the prompts onto the overlay canvas.
 *
 * Masks are sampled once per DEVICE pixel of the displayed image (nearest natural pixel), so a
 * 12 MP mask costs what the screen area costs, and edges stay crisp at any zoom and DPR. Several
 * objects are painted bottom to top, each in its colour; the outline marks the active one.
 */
import type { PromptBox, PromptPoint } from '../geometry/prompts.js';
import { fromImage, type ImageView } from '../geometry/view.js';
import type { BinaryMask } from '../mask/types.js';

export type Rgb = [number, number, number];

export interface OverlayStyle {
  maskOpacity: number;
  outlineColor: Rgb;
  outlineWidth: number;
  positiveColor: string;
  negativeColor: string;
  boxColor: string;
}

export interface OverlayMask {
  mask: BinaryMask;
  color: Rgb;
  /** Outlined (the active object). */
  outline: boolean;
}

export interface OverlayScene {
  /** The displayed image in CSS px relative to the canvas. */
  view: ImageView;
  /** Bottom to top. */
  masks: OverlayMask[];
  /** The active object's prompts. */
  points: readonly PromptPoint[];
  box: PromptBox | null;
  /** Prompts kept until the image is ready (drawn hollow). */
  pendingPoints?: readonly PromptPoint[];
  pendingBox?: PromptBox | null;
  /** A box being dragged (not yet a prompt). */
  draftBox?: PromptBox | null;
  /** Keyboard cursor in image px, when visible. */
  cursor?: { x: number; y: number } | null;
  /** A touch press in progress (image px): `progress` 0→1 until it becomes a negative point. */
  press?: { x: number; y: number; progress: number } | null;
}

/** Point marker radius in CSS px (the hit target is larger: see POINT_HIT_RADIUS). */
export const POINT_RADIUS = 6;

export class OverlayPainter {
  private _scratch: ImageData | null = null;
  private _sampleX = new Int32Array(0);
  private _inside = new Uint8Array(0);

  constructor(private readonly _canvas: HTMLCanvasElement) {}

  /** Matches the backing store to the CSS size × devicePixelRatio. */
  resize(cssWidth: number, cssHeight: number, dpr: number): void {
    const width = Math.max(1, Math.round(cssWidth * dpr));
    const height = Math.max(1, Math.round(cssHeight * dpr));
    if (this._canvas.width !== width || this._canvas.height !== height) {
      this._canvas.width = width;
      this._canvas.height = height;
    }
  }

  clear(): void {
    const ctx = this._canvas.getContext('2d');
    ctx?.setTransform(1, 0, 0, 1, 0, 0);
    ctx?.clearRect(0, 0, this._canvas.width, this._canvas.height);
  }

  paint(scene: OverlayScene, style: OverlayStyle, dpr: number): void {
    const ctx = this._canvas.getContext('2d');
    if (!ctx) return;
    this.clear();
    if (scene.masks.length) this._paintMasks(ctx, scene, style, dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const toCss = (x: number, y: number) => fromImage(scene.view, x, y);
    const boxes: Array<[PromptBox | null | undefined, number[]]> = [
      [scene.box, []],
      [scene.pendingBox, [3, 3]],
      [scene.draftBox, [6, 4]],
    ];
    for (const [box, dash] of boxes) {
      if (!box) continue;
      const a = toCss(Math.min(box.x1, box.x2), Math.min(box.y1, box.y2));
      const b = toCss(Math.max(box.x1, box.x2), Math.max(box.y1, box.y2));
      ctx.lineWidth = 2;
      ctx.strokeStyle = style.boxColor;
      ctx.setLineDash(dash);
      ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
      ctx.setLineDash([]);
    }
    for (const point of scene.points) {
      const p = toCss(point.x, point.y);
      ctx.beginPath();
      ctx.arc(p.x, p.y, POINT_RADIUS, 0, Math.PI * 2);
      ctx.fillStyle = point.label === 1 ? style.positiveColor : style.negativeColor;
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#fff';
      ctx.stroke();
    }
    // Pending points (the image isn't ready yet): hollow rings in the label's colour.
    for (const point of scene.pendingPoints ?? []) {
      const p = toCss(point.x, point.y);
      ctx.beginPath();
      ctx.arc(p.x, p.y, POINT_RADIUS, 0, Math.PI * 2);
      ctx.lineWidth = 4;
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.85)';
      ctx.stroke();
      ctx.lineWidth = 2;
      ctx.strokeStyle = point.label === 1 ? style.positiveColor : style.negativeColor;
      ctx.stroke();
    }
    if (scene.press) {
      const p = toCss(scene.press.x, scene.press.y);
      const radius = 18;
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.6)';
      ctx.beginPath();
      ctx.arc(p.x, p.y, radius, 0, Math.PI * 2);
      ctx.stroke();
      ctx.strokeStyle = style.negativeColor;
      ctx.beginPath();
      ctx.arc(p.x, p.y, radius, -Math.PI / 2, -Math.PI / 2 + scene.press.progress * Math.PI * 2);
      ctx.stroke();
    }
    if (scene.cursor) {
      const p = toCss(scene.cursor.x, scene.cursor.y);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#fff';
      ctx.beginPath();
      ctx.arc(p.x, p.y, 10, 0, Math.PI * 2);
      ctx.moveTo(p.x - 16, p.y);
      ctx.lineTo(p.x + 16, p.y);
      ctx.moveTo(p.x, p.y - 16);
      ctx.lineTo(p.x, p.y + 16);
      ctx.stroke();
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  }

  private _paintMasks(ctx: CanvasRenderingContext2D, scene: OverlayScene, style: OverlayStyle, dpr: number) {
    const content = scene.view.rect;
    // Device-pixel rect of the displayed image, clipped to the canvas.
    const left = Math.max(0, Math.round(content.x * dpr));
    const top = Math.max(0, Math.round(content.y * dpr));
    const right = Math.min(this._canvas.width, Math.round((content.x + content.width) * dpr));
    const bottom = Math.min(this._canvas.height, Math.round((content.y + content.height) * dpr));
    const width = right - left;
    const height = bottom - top;
    if (width <= 0 || height <= 0) return;
    if (!this._scratch || this._scratch.width !== width || this._scratch.height !== height) {
      this._scratch = new ImageData(width, height);
      this._sampleX = new Int32Array(width);
      this._inside = new Uint8Array(width * height);
    } else {
      this._scratch.data.fill(0);
    }
    const out = new Uint32Array(this._scratch.data.buffer);
    const edge = packRgba(style.outlineColor, 1);
    const outline = Math.max(0, Math.round(style.outlineWidth * dpr));
    const offsetX = left - content.x * dpr;
    const offsetY = top - content.y * dpr;
    const inside = this._inside;
    const sampleX = this._sampleX;
    for (const { mask, color, outline: outlined } of scene.masks) {
      const scaleX = mask.width / (content.width * dpr);
      const scaleY = mask.height / (content.height * dpr);
      for (let x = 0; x < width; x++) {
        sampleX[x] = Math.min(mask.width - 1, Math.max(0, Math.floor((x + offsetX + 0.5) * scaleX)));
      }
      const fill = packRgba(color, style.maskOpacity);
      const data = mask.data;
      const rowOf = (y: number) => Math.min(mask.height - 1, Math.max(0, Math.floor((y + offsetY + 0.5) * scaleY))) * mask.width;
      // Fill pass, then an outline pass on the DISPLAY grid: a display pixel is edge when it is
      // inside and any display pixel within `outline` is outside (cheap: display pixels only).
      const track = outlined && outline > 0;
      if (track) inside.fill(0);
      for (let y = 0; y < height; y++) {
        const row = rowOf(y);
        const base = y * width;
        for (let x = 0; x < width; x++) {
          if (data[row + sampleX[x]]) {
            if (track) inside[base + x] = 1;
            out[base + x] = fill;
          }
        }
      }
      if (!track) continue;
      for (let y = 0; y < height; y++) {
        const base = y * width;
        for (let x = 0; x < width; x++) {
          if (inside[base + x] && isEdge(inside, width, height, x, y, outline)) out[base + x] = edge;
        }
      }
    }
    ctx.putImageData(this._scratch, left, top);
  }
}

function isEdge(inside: Uint8Array, width: number, height: number, x: number, y: number, radius: number): boolean {
  for (let d = 1; d <= radius; d++) {
    if (x - d < 0 || x + d >= width || y - d < 0 || y + d >= height) return true;
    if (!inside[y * width + x - d] || !inside[y * width + x + d] || !inside[(y - d) * width + x] || !inside[(y + d) * width + x]) {
      return true;
    }
  }
  return false;
}

/** RGBA into one little-endian Uint32 (ImageData byte order R,G,B,A). */
function packRgba([r, g, b]: Rgb, alpha: number): number {
  const a = Math.round(Math.min(1, Math.max(0, alpha)) * 255);
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** Parses any CSS colour to RGB via a 1×1 canvas (the browser's own parser). */
export function parseCssColor(value: string, fallback: Rgb): Rgb {
  const text = value.trim();
  if (!text) return fallback;
  const ctx = colorContext();
  if (!ctx) return fallback;
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillStyle = '#000';
  ctx.fillStyle = text;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  return [r, g, b];
}

/**
 * Splits a CSS list of colours (`--sam2-object-colors: #e11d48, rgb(0 128 255), teal`) at the
 * top-level commas (not those inside rgb(...)).
 */
export function splitColorList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

let colorCtx: CanvasRenderingContext2D | null | undefined;
function colorContext() {
  if (colorCtx === undefined) {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    colorCtx = canvas.getContext('2d', { willReadFrequently: true });
  }
  return colorCtx;
}

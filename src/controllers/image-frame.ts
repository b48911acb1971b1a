/**
 * Where the image is on screen: the frame element, the overlay canvas, and the image view in
 * both coordinate spaces (frame-relative CSS px for painting, client px for pointer input), all
 * from geometry/view.ts so that painting and hit-testing agree to the pixel.
 */
import { fitImage, shiftView, type ImageView } from '../geometry/view.js';
import type { SegmenterHost, Size } from './host.js';

export class ImageFrame {
  constructor(
    private readonly _host: SegmenterHost,
    /** Natural size of the shown image (encoded, or as displayed before the encode). */
    private readonly _imageSize: () => Size | null,
  ) {}

  get element(): HTMLElement | null {
    return this._host.renderRoot.querySelector<HTMLElement>('.frame');
  }

  get overlay(): HTMLCanvasElement | null {
    return this._host.renderRoot.querySelector<HTMLCanvasElement>('canvas.overlay');
  }

  imageSize(): Size | null {
    return this._imageSize();
  }

  /** The displayed image in CSS px relative to the frame (= the overlay canvas). */
  view(): ImageView | null {
    const frame = this.element;
    const size = this._imageSize();
    if (!frame || !size) return null;
    return fitImage({ x: 0, y: 0, width: frame.clientWidth, height: frame.clientHeight }, size.width, size.height);
  }

  /** The displayed image in client (viewport) coordinates, for pointer events. */
  clientView(): ImageView | null {
    const view = this.view();
    if (!view) return null;
    const frame = this.element!.getBoundingClientRect();
    return shiftView(view, frame.x, frame.y);
  }

  /** The displayed image's size in device pixels: the most detail the overlay can show. */
  displayMaskSize(): Size | null {
    const view = this.view();
    if (!view || view.rect.width <= 0 || view.rect.height <= 0) return null;
    const dpr = window.devicePixelRatio || 1;
    return { width: Math.max(1, Math.round(view.rect.width * dpr)), height: Math.max(1, Math.round(view.rect.height * dpr)) };
  }
}

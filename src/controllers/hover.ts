/**
 * Hover preview: the mask a click would give where the pointer is, computed at display size
 * only and painted instead of the active object's mask. Latest wins (a fast pointer costs at most
 * one extra decode), and nothing is delivered after the prompts change or the element leaves.
 */
import type { ReactiveController } from 'lit';
import type { BinaryMask } from '../mask/types.js';
import { clonePrompts } from './prompt-history.js';
import { LatestWins } from './latest-wins.js';
import type { EngineController } from './engine.js';
import type { SegmenterHost } from './host.js';
import type { ImageFrame } from './image-frame.js';
import type { SegmentationController } from './segmentation.js';

export class HoverController implements ReactiveController {
  /** The preview mask to paint, or null. */
  preview: BinaryMask | null = null;

  private readonly _latest = new LatestWins<{ x: number; y: number }, BinaryMask | null>(
    async (point, signal) => {
      const image = this._engine.encoded;
      const object = this._segmentation.active;
      if (!image || !this._engine.ready) return null;
      const prompts = clonePrompts(object.prompts);
      prompts.points.push({ ...point, label: 1 });
      // Only painted, never emitted: the display-size mask is all a hover needs.
      const request = this._segmentation.requests.decode(object, image, {
        prompts,
        maskIndex: null,
        // A click added to the object refines its current mask: so does its preview.
        refine: object.decoded,
        preview: this._frame.displayMaskSize(),
        previewOnly: true,
      });
      const result = await this._engine.client.request(request, { signal });
      return this._engine.encoded === image && this._segmentation.active === object ? { width: result.width, height: result.height, data: result.data } : null;
    },
    (mask) => {
      this.preview = mask;
      this._paint();
    },
  );

  constructor(
    host: SegmenterHost,
    private readonly _engine: EngineController,
    private readonly _segmentation: SegmentationController,
    private readonly _frame: ImageFrame,
    private readonly _paint: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.clear();
  }

  /** Previews a click at this image point. */
  at(point: { x: number; y: number }): void {
    this._latest.schedule(point);
  }

  /** No preview (the pointer left, sits on a point, or the prompts changed). */
  clear(): void {
    this._latest.cancel();
    if (!this.preview) return;
    this.preview = null;
    this._paint();
  }
}

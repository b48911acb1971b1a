/**
 * The one place where requests about an object are built (decodes, hover previews, renders):
 * a new decoder or mask option (e.g. `edges`) is one line here.
 */
import type { Prompts } from '../geometry/prompts.js';
import type { MaskEdges } from '../mask/types.js';
import type { DecodeRequest, MaskCleanup, RenderObjectRequest } from '../worker/protocol.js';
import type { EncodedImage, EngineController } from './engine.js';
import type { SegmenterHost, Size } from './host.js';
import type { ImageFrame } from './image-frame.js';
import type { SegmentObject } from './objects.js';

export interface DecodeOptions {
  prompts: Prompts;
  /** Candidate to show; null = the highest predicted IoU. */
  maskIndex: number | null;
  /** Use the object's kept candidate as `mask_input` (a click added to the same object). */
  refine: boolean;
  /** Display size of an early (or, with previewOnly, the only) mask. */
  preview: Size | null;
  /** A hover preview: only the display-size mask, nothing kept. */
  previewOnly?: boolean;
}

export class ObjectRequests {
  constructor(
    private readonly _host: SegmenterHost,
    private readonly _engine: EngineController,
    private readonly _frame: ImageFrame,
  ) {}

  decode(object: SegmentObject, image: EncodedImage, options: DecodeOptions): DecodeRequest {
    return {
      type: 'decode',
      modelKey: image.modelKey,
      imageKey: image.imageKey,
      objectId: object.id,
      lane: this.lane(object, image, options.previewOnly ? 'hover' : 'prompts'),
      refine: options.refine,
      prompts: options.prompts,
      threshold: this._host.threshold,
      maskIndex: options.maskIndex,
      cleanup: this._cleanup(),
      preview: options.preview,
      previewOnly: options.previewOnly,
      edges: this._edges(),
    };
  }

  /** Re-threshold / switch candidate from the candidates the worker keeps. */
  render(object: SegmentObject, image: EncodedImage): RenderObjectRequest {
    return {
      type: 'render',
      imageKey: image.imageKey,
      objectId: object.id,
      lane: this.lane(object, image, 'prompts'),
      threshold: this._host.threshold,
      maskIndex: object.selectedIndex,
      cleanup: this._cleanup(),
      edges: this._edges(),
    };
  }

  /** The worker's latest-wins lane of an object's requests (hover previews have their own). */
  lane(object: SegmentObject, image: EncodedImage, kind: 'prompts' | 'hover'): string {
    return `${this._engine.owner}/${image.imageKey}/${kind === 'hover' ? 'hover' : object.id}`;
  }

  /**
   * A display-size mask sent ahead of the natural-size one, when the image is large enough for
   * the difference to show (≥ 2 MP and ≥ 2× the display): the overlay paints as soon as the
   * decoder is done instead of after a full-size upsample (~100 ms at 48 MP).
   */
  earlyPreviewSize(image: Size): Size | null {
    const size = this._frame.displayMaskSize();
    const pixels = image.width * image.height;
    if (!size || pixels < 2_000_000 || pixels < 2 * size.width * size.height) return null;
    return size;
  }

  /** `image` only when asked for exactly; anything else is the model's edge. */
  private _edges(): MaskEdges {
    return this._host.edges === 'image' ? 'image' : 'model';
  }

  private _cleanup(): MaskCleanup | undefined {
    const maxHoleArea = Math.max(0, this._host.maxHoleArea || 0);
    const maxSprinkleArea = Math.max(0, this._host.maxSprinkleArea || 0);
    return maxHoleArea || maxSprinkleArea ? { maxHoleArea, maxSprinkleArea } : undefined;
  }
}

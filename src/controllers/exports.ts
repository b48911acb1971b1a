/**
 * The element's outputs, made in the worker from what it holds for the image: mask and cut-out
 * files, label maps, polygons and COCO run-length encodings, per object (default: the active one).
 */
import { Sam2Error } from '../errors.js';
import { EXPORT_IMAGE_TYPES, EXPORT_KINDS, type ExportImageType, type ExportKind } from '../mask/types.js';
import type { Polygon } from '../mask/polygons.js';
import type { CocoAnnotations, CocoRleResult } from '../worker/protocol.js';
import type { EngineController } from './engine.js';
import type { SegmentationController } from './segmentation.js';

export interface ToBlobOptions {
  /**
   * `mask` (default): white inside, black outside. `cutout`: the image, transparent outside.
   * `labels`: every object at once, pixel value = object id (0 = none), greyscale PNG.
   */
  kind?: ExportKind;
  type?: ExportImageType;
  /** Encoder quality for image/webp (0..1). */
  quality?: number;
  /** Crop to the mask's bounding box. */
  crop?: boolean;
  /** Feather radius of the cut-out edge in pixels. */
  feather?: number;
  /**
   * `cutout` only: an anti-aliased edge, alpha = the mask's probability across the edge (with
   * `edges="image"` the refinement's, following the image) instead of 0/255; a pixel is at
   * least half opaque exactly where the mask has it. Default false.
   */
  soft?: boolean;
  /** The object to export (default: the active one); not used by `labels`. */
  object?: number;
}

export interface CocoAnnotationsOptions {
  /** The `image_id` of every annotation (default 1). */
  imageId?: number;
  /** The `category_id` of every annotation (default 1). */
  categoryId?: number;
}

/**
 * Exports run in the worker on what it keeps for each object (protocol v2): no mask crosses the
 * thread boundary on the way there, only the file or numbers come back.
 */
export class Exporter {
  constructor(
    private readonly _engine: EngineController,
    private readonly _segmentation: SegmentationController,
  ) {}

  async toBlob(options: ToBlobOptions = {}): Promise<Blob> {
    const kind = options.kind ?? 'mask';
    const format = options.type ?? 'image/png';
    if (!(EXPORT_KINDS as readonly string[]).includes(kind)) {
      throw new Sam2Error('invalid-argument', `toBlob: kind must be one of ${EXPORT_KINDS.join(', ')}, not ${String(kind)}`);
    }
    if (!(EXPORT_IMAGE_TYPES as readonly string[]).includes(format)) {
      throw new Sam2Error('invalid-argument', `toBlob: type must be one of ${EXPORT_IMAGE_TYPES.join(', ')}, not ${String(format)}`);
    }
    const common = {
      type: 'export-image',
      kind,
      format,
      quality: options.quality,
      crop: options.crop ?? false,
      feather: Math.max(0, options.feather ?? 0),
      soft: kind === 'cutout' && options.soft === true,
    } as const;
    if (kind === 'labels') {
      if (format !== 'image/png') throw new Sam2Error('invalid-argument', 'toBlob({kind: "labels"}) is a PNG (a label map must be lossless)');
      const { image, ids } = this._withMasks();
      if (!ids.length) throw new Sam2Error('not-ready', 'There is no mask yet: add a prompt first');
      return this._engine.client.request({ ...common, imageKey: image.imageKey, objectId: null, objectIds: ids });
    }
    const { image, objectId } = this._requireMask(options.object);
    return this._engine.client.request({ ...common, imageKey: image.imageKey, objectId });
  }

  async toPolygons(options: { tolerance?: number; object?: number } = {}): Promise<Polygon[]> {
    const { image, objectId } = this._requireMask(options.object);
    return this._engine.client.request({ type: 'polygons', imageKey: image.imageKey, objectId, tolerance: Math.max(0, options.tolerance ?? 0) });
  }

  async toCocoRle(options: { object?: number } = {}): Promise<CocoRleResult> {
    const { image, objectId } = this._requireMask(options.object);
    return this._engine.client.request({ type: 'coco-rle', imageKey: image.imageKey, objectId });
  }

  /** One COCO annotation per object with a mask (`id` = the object id), for a COCO file's `annotations`. */
  async toCocoAnnotations(options: CocoAnnotationsOptions = {}): Promise<CocoAnnotations> {
    const imageId = options.imageId ?? 1;
    const categoryId = options.categoryId ?? 1;
    for (const [name, value] of [['imageId', imageId], ['categoryId', categoryId]] as const) {
      if (!Number.isInteger(value)) throw new Sam2Error('invalid-argument', `toCocoAnnotations: ${name} must be an integer, not ${String(value)}`);
    }
    const image = this._engine.encoded;
    if (!image) throw new Sam2Error('not-ready', 'There is no encoded image yet');
    const { ids } = this._withMasks();
    if (!ids.length) return { annotations: [] };
    return this._engine.client.request({ type: 'coco-annotations', imageKey: image.imageKey, objectIds: ids, imageId, categoryId });
  }

  /** The objects the element shows a mask for (the worker may still hold one a clear() is releasing). */
  private _withMasks() {
    const image = this._engine.encoded;
    if (!image) throw new Sam2Error('not-ready', 'There is no encoded image yet');
    return { image, ids: this._segmentation.objects.all.filter((o) => o.result?.mask && o.kept).map((o) => o.id) };
  }

  private _requireMask(id: number | undefined) {
    const object = id === undefined ? this._segmentation.active : this._segmentation.objects.get(id);
    if (!object) throw new Sam2Error('invalid-argument', `There is no object ${id}`);
    const image = this._engine.encoded;
    if (!object.result?.mask || !object.kept || !image) throw new Sam2Error('not-ready', 'There is no mask yet: add a prompt first');
    return { image, objectId: object.id };
  }
}

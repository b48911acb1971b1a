/**
 * The element's outputs, made in the worker from what it holds for the image: mask and cut-out
 * files, label maps, polygons and COCO run-length encodings, per object (default: the active one).
 */
import { Sam2Error } from '../errors.js';
import { EXPORT_IMAGE_TYPES, EXPORT_KINDS, type ExportImageType, type ExportKind } from '../mask/types.js';
import type { Polygon } from '../mask/polygons.js';
import type { CocoRleResult } from '../worker/protocol.js';
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
  /** The object to export (default: the active one); not used by `labels`. */
  object?: number;
}

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
    if (kind === 'labels') throw new Sam2Error('not-ready', 'toBlob({kind: "labels"}) needs the worker to keep every object (pending)');
    const { mask, image } = this._requireMask(options.object);
    return this._engine.client.request({
      type: 'export-image',
      imageKey: image.imageKey,
      mask,
      kind,
      format,
      quality: options.quality,
      crop: options.crop ?? false,
      feather: Math.max(0, options.feather ?? 0),
    });
  }

  async toPolygons(options: { tolerance?: number; object?: number } = {}): Promise<Polygon[]> {
    const { mask } = this._requireMask(options.object);
    return this._engine.client.request({ type: 'polygons', mask, tolerance: Math.max(0, options.tolerance ?? 0) });
  }

  async toCocoRle(options: { object?: number } = {}): Promise<CocoRleResult> {
    const { mask } = this._requireMask(options.object);
    return this._engine.client.request({ type: 'coco-rle', mask });
  }

  private _requireMask(id: number | undefined) {
    const object = id === undefined ? this._segmentation.active : this._segmentation.objects.get(id);
    if (!object) throw new Sam2Error('invalid-argument', `There is no object ${id}`);
    const mask = object.result?.mask;
    const image = this._engine.encoded;
    if (!mask || !image) throw new Sam2Error('not-ready', 'There is no mask yet: add a prompt first');
    return { mask, image };
  }
}

/**
 * What the controllers may read from the element: its reactive properties and the DOM it
 * renders. Declared here (not imported from the element) so that no controller depends on the
 * element module: the element composes the controllers, never the other way round.
 */
import type { ReactiveControllerHost } from 'lit';
import type { ImageInput } from '../image-input.js';
import type { ModelManifest } from '../model/manifest.js';
import type { ModelPrecision } from '../model/precision.js';
import type { MaskEdges } from '../mask/types.js';
import type { Sam2Strings } from '../render/strings.js';
import type { BackendPreference, EmbeddingCacheMode } from '../worker/protocol.js';

export type LoadingMode = 'lazy' | 'eager';

export interface SegmenterHost extends ReactiveControllerHost, HTMLElement {
  readonly src: string | null;
  readonly image: ImageInput | null;
  readonly model: string | ModelManifest;
  readonly modelBase: string | null;
  readonly precision: ModelPrecision | string;
  readonly backend: BackendPreference;
  readonly threshold: number;
  readonly loading: LoadingMode;
  readonly hoverPreview: boolean;
  readonly disabled: boolean;
  readonly multiple: boolean;
  readonly maxHoleArea: number;
  readonly maxSprinkleArea: number;
  readonly edges: MaskEdges | string;
  readonly embeddingCache: EmbeddingCacheMode | string;
  readonly strings: Partial<Sam2Strings>;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

export interface Size {
  width: number;
  height: number;
}

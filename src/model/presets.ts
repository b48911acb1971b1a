/**
 * Model presets: `model="tiny"` etc. resolve to a manifest URL under a base URL that a site can
 * point at its own mirror (attribute `model-base`, or `Sam2Segmenter.modelBase` for every element).
 */
export const MODEL_PRESETS = ['tiny', 'small', 'base-plus', 'large'] as const;
export type ModelPreset = (typeof MODEL_PRESETS)[number];

export const isPreset = (value: string): value is ModelPreset => (MODEL_PRESETS as readonly string[]).includes(value);

/** Folder of each preset under the model base; each holds a `manifest.json` made by `pack`. */
export const PRESET_PATHS: Record<ModelPreset, string> = {
  tiny: 'sam2.1_hiera_tiny/manifest.json',
  small: 'sam2.1_hiera_small/manifest.json',
  'base-plus': 'sam2.1_hiera_base_plus/manifest.json',
  large: 'sam2.1_hiera_large/manifest.json',
};

let defaultModelBase = 'https://cdn.jsdelivr.net/npm/sam2-segmenter-models@1/';

export function setDefaultModelBase(base: string) {
  defaultModelBase = base.endsWith('/') ? base : `${base}/`;
}
export const getDefaultModelBase = () => defaultModelBase;

/** Manifest URL of a preset or any other model string (taken as a manifest URL). */
export function modelManifestUrl(model: string, modelBase: string | null | undefined, documentBase: string): string {
  if (!isPreset(model)) return new URL(model, documentBase).href;
  const base = modelBase ? new URL(modelBase.endsWith('/') ? modelBase : `${modelBase}/`, documentBase).href : defaultModelBase;
  return new URL(PRESET_PATHS[model], base).href;
}

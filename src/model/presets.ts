/**
 * Model presets: `model="tiny"` etc. are built-in manifests of the public onnx-community SAM 2.1
 * exports (docs/models.md lists the files). No network is needed to resolve them, so sizes and
 * hashes are omitted: the loader then checks sizes against what the server reports.
 *
 * A site can point every preset at its own mirror (attribute `model-base`, or
 * `Sam2Segmenter.modelBase` for every element). A mirror may hold the files in the same layout
 * (`<base><repo>/onnx/...`), or a `manifest.json` made by `npx sam2-segmenter pack` in
 * `<base><repo>/`, which then wins (parts, sizes and hashes).
 */
import { fetchManifest, resolveManifest, type ManifestFile, type ModelManifest, type ResolvedManifest } from './manifest.js';

export const MODEL_PRESETS = ['tiny', 'small', 'base-plus', 'large'] as const;
export type ModelPreset = (typeof MODEL_PRESETS)[number];

export const isPreset = (value: string): value is ModelPreset => (MODEL_PRESETS as readonly string[]).includes(value);

/** Hugging Face repository (and mirror folder) of each preset. */
export const PRESET_REPOS: Record<ModelPreset, string> = {
  tiny: 'sam2.1-hiera-tiny-ONNX',
  small: 'sam2.1-hiera-small-ONNX',
  'base-plus': 'sam2.1-hiera-base-plus-ONNX',
  large: 'sam2.1-hiera-large-ONNX',
};

/**
 * `{repo}` is replaced by the preset's repository; a base without it gets `{repo}/` appended.
 * Hugging Face serves a file of a repository at `<repo>/resolve/<revision>/<path>`, with CORS,
 * Range and Content-Range exposed.
 */
export const HUGGING_FACE_BASE = 'https://huggingface.co/onnx-community/{repo}/resolve/main/';

// fp32 graphs with their weights in `<graph>.onnx_data`: the WASM backend has no fp16 kernels
// worth using, and the quantised variants change the masks.
const ENCODER = 'onnx/vision_encoder.onnx';
const DECODER = 'onnx/prompt_encoder_mask_decoder.onnx';

function withExternalData(url: string): ManifestFile {
  const path = url.slice(url.lastIndexOf('/') + 1);
  return { parts: [{ url }], externalData: [{ path: `${path}_data`, parts: [{ url: `${url}_data` }] }] };
}

/** The built-in manifest of a preset; its URLs are relative to the preset's folder. */
export function presetManifest(preset: ModelPreset): ModelManifest {
  return {
    name: `sam2.1-hiera-${preset}`,
    contract: 'onnx-community',
    encoder: withExternalData(ENCODER),
    decoder: withExternalData(DECODER),
  };
}

let defaultModelBase = HUGGING_FACE_BASE;

export function setDefaultModelBase(base: string) {
  defaultModelBase = base || HUGGING_FACE_BASE;
}
export const getDefaultModelBase = () => defaultModelBase;

/** The folder URL of a preset under a model base (template or plain folder). */
export function presetFolder(preset: ModelPreset, modelBase: string, documentBase: string): string {
  const template = modelBase.includes('{repo}') ? modelBase : `${modelBase.replace(/\/?$/, '/')}{repo}/`;
  const folder = template.replaceAll('{repo}', PRESET_REPOS[preset]);
  return new URL(folder.endsWith('/') ? folder : `${folder}/`, documentBase).href;
}

/**
 * Resolves the element's `model` value: a preset (built-in manifest, or a mirror's packed
 * `manifest.json`), a manifest URL, or a manifest object.
 */
export async function resolveModel(
  model: string | ModelManifest,
  modelBase: string | null | undefined,
  documentBase: string,
  signal?: AbortSignal,
): Promise<ResolvedManifest> {
  if (typeof model !== 'string') return resolveManifest(model, documentBase);
  if (!isPreset(model)) return fetchManifest(new URL(model, documentBase).href, signal);
  const base = modelBase || defaultModelBase;
  const folder = presetFolder(model, base, documentBase);
  const builtIn = () => resolveManifest(presetManifest(model), folder);
  // The Hugging Face layout has no manifest.json: don't spend a request asking for one.
  if (base === HUGGING_FACE_BASE) return builtIn();
  return fetchManifest(new URL('manifest.json', folder).href, signal, builtIn);
}

/**
 * The cache name (manifest `name`) of a `model` value, for `Sam2Segmenter.clearCache()`:
 * presets and manifest URLs are resolved (against the global model base), manifest objects read,
 * any other string is taken as a name or key already.
 */
export async function cacheNameOf(model: string | ModelManifest, documentBase: string): Promise<string> {
  if (typeof model === 'string' && !isPreset(model) && !/[/:]|\.json$/.test(model)) return model;
  return (await resolveModel(model, null, documentBase)).name;
}

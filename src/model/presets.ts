/**
 * Model presets: `model="tiny"` etc. are built-in manifests of the public onnx-community exports
 * of SAM 2.1 and EdgeTAM (docs/models.md lists the files). No request is needed to resolve them.
 *
 * By default a preset points at its Hugging Face repository at a pinned revision where one is
 * known, and the sizes and SHA-256 published at that revision are built in and checked. A site can
 * point every preset at its own mirror (attribute `model-base`, or `Sam2Segmenter.modelBase`): a
 * folder (`<base><repo>/onnx/...`) or a template with `{repo}` and `{revision}`. Built-in sizes and
 * hashes apply only where the files are the pinned ones (the default base, or a template with
 * `{revision}`); a mirror without `{revision}` is checked by the sizes it serves. A mirror's own
 * `manifest.json` (made by `npx sam2-segmenter pack`) in `<folder>/` wins, as always.
 */
import { Sam2Error } from '../errors.js';
import { fetchManifest, resolveManifest, type ManifestFile, type ModelManifest, type ResolvedManifest } from './manifest.js';
import { PRECISION_SUFFIX, type FilePrecision, type ModelPrecision, type PrecisionPair } from './precision.js';
import { MODEL_PRESETS, isPreset, type ModelPreset } from './preset-names.js';

export { MODEL_PRESETS, isPreset, type ModelPreset };

/**
 * A `model` value that can only have meant a preset: no `/` and no `.`, so it is neither a URL
 * nor a file name. Such a value that is no preset is a typo, reported at once, without a request.
 */
export const looksLikePresetName = (value: string): boolean => !/[/.]/.test(value);

export function unknownModelError(value: string): Sam2Error {
  return new Sam2Error(
    'model-unknown',
    `Unknown model "${value}": use a preset (${MODEL_PRESETS.join(', ')}) or the URL of a model manifest`,
  );
}

/** A file as published at the pinned revision. */
interface PublishedFile {
  bytes: number;
  sha256?: string;
}

interface PresetInfo {
  /** The onnx-community repository, also the mirror folder's name. */
  repo: string;
  /** Manifest `name` (cache name) of the fp32 files. */
  name: string;
  /**
   * The commit the preset is pinned to, or null when none is known here: those presets follow
   * `main` (and carry no sizes or hashes, which `main` may change).
   */
  revision: string | null;
  /** Facts about files at `revision`, by path under the repository. */
  published: Partial<Record<string, PublishedFile>>;
  /**
   * Variants whose weights sit in a separate `<graph>.onnx_data` file. The fp32 and fp16 exports
   * do; the quantised ones are assumed single files (Transformers.js's quantiser writes external
   * data only past 2 GB) — not verified here: a mirror's manifest.json can say otherwise.
   */
  externalData: Record<FilePrecision, boolean>;
}

const SPLIT_FLOAT = { fp32: true, fp16: true, q8: false, q4f16: false };

/** Sizes and hashes from the issue tracker's record of the published files (issue 15). */
const PRESETS: Record<ModelPreset, PresetInfo> = {
  tiny: {
    repo: 'sam2.1-hiera-tiny-ONNX',
    name: 'sam2.1-hiera-tiny',
    revision: '814a066640debee5a91e70aa401fb8e17e030503',
    published: {
      'onnx/vision_encoder.onnx': { bytes: 354_238, sha256: '4f30aacd3aaefbca81a0b7fe4c1fc96345570ea0a6f80ced599493d1b3be2e8c' },
      'onnx/vision_encoder.onnx_data': { bytes: 134_084_864, sha256: 'e83df9866a5afe68ea7f0f721f18f65137fc3acbf0da1c74e946d363e09c69cc' },
      'onnx/prompt_encoder_mask_decoder.onnx': { bytes: 213_114, sha256: '874414704c5d686db7d206a35f6e15d26563d50c8c4468fccc6739bd7e491dcf' },
      'onnx/prompt_encoder_mask_decoder.onnx_data': { bytes: 20_958_208, sha256: 'e9874d900dd4134ed60eab1e97910327c2419e0b2954485d8fd6e7f1a1470f47' },
      'onnx/vision_encoder_fp16.onnx': { bytes: 314_925, sha256: '7773e79d589dada8e1e630cc7eb18b17b2c5b4faeb1eaab5ebf9df618ecbd50a' },
      'onnx/vision_encoder_fp16.onnx_data': { bytes: 67_005_504, sha256: 'a4dd3759e9b6a476d991fb3493787992e78777e51462695e1bede71ae258103e' },
    },
    externalData: SPLIT_FLOAT,
  },
  small: { repo: 'sam2.1-hiera-small-ONNX', name: 'sam2.1-hiera-small', revision: null, published: {}, externalData: SPLIT_FLOAT },
  'base-plus': { repo: 'sam2.1-hiera-base-plus-ONNX', name: 'sam2.1-hiera-base-plus', revision: null, published: {}, externalData: SPLIT_FLOAT },
  large: { repo: 'sam2.1-hiera-large-ONNX', name: 'sam2.1-hiera-large', revision: null, published: {}, externalData: SPLIT_FLOAT },
  edgetam: { repo: 'EdgeTAM-ONNX', name: 'edgetam', revision: null, published: {}, externalData: SPLIT_FLOAT },
};

/** Hugging Face repository (and mirror folder) of each preset. */
export const PRESET_REPOS = Object.fromEntries(MODEL_PRESETS.map((p) => [p, PRESETS[p].repo])) as Record<ModelPreset, string>;

/** The revision a preset loads from its repository by default: a commit, or `main` when none is pinned. */
export const presetRevision = (preset: ModelPreset): string => PRESETS[preset].revision ?? 'main';

/**
 * `{repo}` is replaced by the preset's repository, `{revision}` by its pinned revision; a base
 * without `{repo}` gets `{repo}/` appended. Hugging Face serves a file of a repository at
 * `<repo>/resolve/<revision>/<path>`, with CORS, Range and Content-Range exposed.
 */
export const HUGGING_FACE_BASE = 'https://huggingface.co/onnx-community/{repo}/resolve/{revision}/';

const ENCODER = 'onnx/vision_encoder';
const DECODER = 'onnx/prompt_encoder_mask_decoder';

/** Whether the files under a base are the pinned revision's (so built-in sizes and hashes hold). */
const servesPinnedFiles = (modelBase: string) => modelBase.includes('{revision}');

function presetFile(info: PresetInfo, stem: string, precision: FilePrecision, checked: boolean): ManifestFile {
  const path = `${stem}${PRECISION_SUFFIX[precision]}.onnx`;
  const facts = (p: string) => (checked && info.revision ? info.published[p] : undefined);
  const part = (p: string) => ({ url: p, ...facts(p) });
  const file: ManifestFile = { ...facts(path), parts: [part(path)] };
  if (info.externalData[precision]) {
    const data = `${path}_data`;
    file.externalData = [{ path: data.slice(data.lastIndexOf('/') + 1), ...facts(data), parts: [part(data)] }];
  }
  return file;
}

/**
 * The built-in manifest of a preset at a precision; its URLs are relative to the preset's folder.
 * `checked`: the files are the pinned revision's, so its sizes and hashes are built in.
 */
export function presetManifest(preset: ModelPreset, precision: PrecisionPair = { encoder: 'fp32', decoder: 'fp32' }, checked = true): ModelManifest {
  const info = PRESETS[preset];
  return {
    // One name for every precision and mirror (clearCache('tiny') clears them all); the cache
    // keeps one version per name, origin and precision (model-cache.ts).
    name: info.name,
    contract: 'onnx-community',
    precision: { ...precision },
    encoder: presetFile(info, ENCODER, precision.encoder, checked),
    decoder: presetFile(info, DECODER, precision.decoder, checked),
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
  const folder = template.replaceAll('{repo}', PRESETS[preset].repo).replaceAll('{revision}', presetRevision(preset));
  return new URL(folder.endsWith('/') ? folder : `${folder}/`, documentBase).href;
}

/**
 * A mirror's packed `manifest.json`, asked for once per page and folder: every element of the
 * page (and every precision) shares the answer. A failed request is not remembered.
 */
const probes = new Map<string, Promise<ResolvedManifest | null>>();

function probeFolder(folder: string): Promise<ResolvedManifest | null> {
  let probe = probes.get(folder);
  if (!probe) {
    // Not tied to one element's AbortSignal: the answer is shared.
    probe = fetchManifest(new URL('manifest.json', folder).href, undefined, () => null);
    probes.set(folder, probe);
    probe.catch(() => probes.delete(folder));
  }
  return probe;
}

/** Only for tests: forget the probes (as a new page would). */
export const forgetManifestProbes = () => probes.clear();

/**
 * What a preset resolves to: the manifest for `precision`, and, for `auto`, what the worker needs
 * to build the manifest of the precision it picks for its backend (see precision.ts).
 */
export function resolvePreset(preset: ModelPreset, folder: string, pinned: boolean, precision: ModelPrecision): ResolvedManifest {
  const pair: PrecisionPair = precision === 'auto' ? { encoder: 'fp32', decoder: 'fp32' } : { encoder: precision, decoder: precision };
  const manifest = resolveManifest(presetManifest(preset, pair, pinned), folder);
  return { ...manifest, preset: { preset, folder, pinned, precision } };
}

/**
 * Resolves the element's `model` value: a preset (built-in manifest, or a mirror's packed
 * `manifest.json`), a manifest URL, or a manifest object. A preset-like name that is no preset
 * fails with `model-unknown` before any request.
 */
export async function resolveModel(
  model: string | ModelManifest,
  modelBase: string | null | undefined,
  documentBase: string,
  signal?: AbortSignal,
  precision: ModelPrecision = 'auto',
): Promise<ResolvedManifest> {
  if (typeof model !== 'string') return resolveManifest(model, documentBase);
  if (!isPreset(model)) {
    if (looksLikePresetName(model)) throw unknownModelError(model);
    return fetchManifest(new URL(model, documentBase).href, signal);
  }
  const base = modelBase || defaultModelBase;
  const folder = presetFolder(model, base, documentBase);
  const builtIn = () => resolvePreset(model, folder, servesPinnedFiles(base), precision);
  // The Hugging Face layout has no manifest.json: don't spend a request asking for one.
  if (new URL(folder).hostname === 'huggingface.co') return builtIn();
  const packed = await probeFolder(folder);
  signal?.throwIfAborted();
  return packed ?? builtIn();
}

/**
 * The cache name (manifest `name`) of a `model` value, for `Sam2Segmenter.clearCache()`:
 * presets and manifest URLs are resolved (against the global model base), manifest objects read,
 * any other string is taken as a name or key already. A preset's name covers all its precisions.
 */
export async function cacheNameOf(model: string | ModelManifest, documentBase: string): Promise<string> {
  if (typeof model === 'string' && isPreset(model)) return PRESETS[model].name;
  if (typeof model === 'string' && !/[/:]|\.json$/.test(model)) return model;
  return (await resolveModel(model, null, documentBase)).name;
}

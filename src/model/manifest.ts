import { Sam2Error } from '../errors.js';
import { FILE_PRECISIONS, precisionOfFile, type ModelPrecision, type PrecisionPair } from './precision.js';
import type { ModelPreset } from './preset-names.js';

/**
 * The model manifest (see docs/models.md): which files make a model, how they are split, and
 * their sizes and hashes when known. URLs are relative to the manifest.
 */
export type ModelContract = 'samexporter' | 'onnx-community';
export const MODEL_CONTRACTS: readonly ModelContract[] = ['samexporter', 'onnx-community'];

export interface ManifestPart {
  url: string;
  /** Omitted when unknown (e.g. built-in presets): sizes then come from the server. */
  bytes?: number;
  sha256?: string;
}

/** Weights stored beside a graph (ONNX external data), as onnx-community exports do. */
export interface ExternalDataFile {
  /** The location the graph refers to (e.g. `vision_encoder.onnx_data`). */
  path: string;
  bytes?: number;
  sha256?: string;
  parts: ManifestPart[];
}

export interface ManifestFile {
  bytes?: number;
  sha256?: string;
  parts: ManifestPart[];
  externalData?: ExternalDataFile[];
}

/**
 * How files are fetched. Not part of the model's identity: changing these never invalidates the
 * cache. Tests use tiny values to exercise ranges and timeouts with kilobyte-sized fixtures.
 */
export interface DownloadOptions {
  /** Bytes per HTTP Range request (and per stored chunk of an unsplit file). Default 8 MiB. */
  rangeSize?: number;
  /** Requests in flight at once. Default 4. */
  parallel?: number;
  /** Abort and retry a request that delivers no bytes for this long (ms). Default 30 000. */
  stallTimeout?: number;
  /** Extra attempts per range or part after a network failure or a bad hash. Default 3. */
  retries?: number;
}

export interface ModelManifest {
  name: string;
  /** Omitted: the export is recognised by its tensor names when it is loaded. */
  contract?: ModelContract;
  /** What the files are (reported in `model-load`); omitted: read from the file names. */
  precision?: PrecisionPair;
  encoder: ManifestFile;
  decoder: ManifestFile;
  download?: DownloadOptions;
}

/** A manifest whose part URLs are absolute: what the worker receives. */
export interface ResolvedManifest extends ModelManifest {
  precision: PrecisionPair;
  /** Stable identity of the model: cache key for sessions and stored files. */
  key: string;
  /**
   * Set for a built-in preset: the worker rebuilds the manifest for the precision it picks for
   * its backend (`auto`, or a fallback from fp16), see precision.ts.
   */
  preset?: { preset: ModelPreset; folder: string; pinned: boolean; precision: ModelPrecision };
}

function fail(message: string): never {
  throw new Sam2Error('model-contract', `Invalid model manifest: ${message}`);
}

const isSize = (value: unknown) => value === undefined || (Number.isInteger(value) && (value as number) >= 0);

function checkParts(parts: unknown, label: string): ManifestPart[] {
  if (!Array.isArray(parts) || parts.length === 0) fail(`"${label}.parts" must be a non-empty list`);
  for (const part of parts as ManifestPart[]) {
    if (typeof part?.url !== 'string' || !part.url) fail(`every part of "${label}" needs a url`);
    if (!isSize(part.bytes)) fail(`"${label}" part ${part.url} has an invalid byte count`);
  }
  return parts as ManifestPart[];
}

function checkFile(value: unknown, role: string): ManifestFile {
  if (typeof value !== 'object' || value === null) fail(`"${role}" is missing`);
  const file = value as ManifestFile;
  checkParts(file.parts, role);
  if (!isSize(file.bytes)) fail(`"${role}.bytes" is invalid`);
  if (file.externalData !== undefined) {
    if (!Array.isArray(file.externalData)) fail(`"${role}.externalData" must be a list`);
    for (const data of file.externalData) {
      if (typeof data?.path !== 'string' || !data.path) fail(`every external data file of "${role}" needs a path`);
      checkParts(data.parts, `${role}.externalData ${data.path}`);
      if (!isSize(data.bytes)) fail(`"${role}.externalData ${data.path}" has an invalid byte count`);
    }
  }
  return file;
}

/** Validates a manifest object and makes every URL absolute against `baseUrl`. */
export function resolveManifest(value: unknown, baseUrl: string): ResolvedManifest {
  if (typeof value !== 'object' || value === null) fail('expected a JSON object');
  const manifest = value as ModelManifest;
  const contract = manifest.contract;
  if (contract !== undefined && !MODEL_CONTRACTS.includes(contract)) fail(`unknown contract "${String(contract)}"`);
  const absolute = (parts: ManifestPart[]) => parts.map((part) => ({ ...part, url: new URL(part.url, baseUrl).href }));
  const resolveFile = (file: ManifestFile): ManifestFile => ({
    ...file,
    parts: absolute(file.parts),
    externalData: file.externalData?.map((data) => ({ ...data, parts: absolute(data.parts) })),
  });
  const encoder = resolveFile(checkFile(manifest.encoder, 'encoder'));
  const decoder = resolveFile(checkFile(manifest.decoder, 'decoder'));
  const name = typeof manifest.name === 'string' && manifest.name ? manifest.name : 'model';
  const precision = manifest.precision ?? { encoder: precisionOfFile(encoder.parts[0].url), decoder: precisionOfFile(decoder.parts[0].url) };
  if (!FILE_PRECISIONS.includes(precision.encoder) || !FILE_PRECISIONS.includes(precision.decoder)) {
    fail(`"precision" must name the encoder's and the decoder's (${FILE_PRECISIONS.join(', ')})`);
  }
  // Identity = every part URL + size + hash, external data included: a changed file never
  // reuses a stale cache entry, and two different models never share one (the bug of keying a
  // cache by "encoder"/"decoder"). Download options are transport, not identity.
  const describe = (file: { bytes?: number; sha256?: string; parts: ManifestPart[] }): string[] => [
    file.sha256 ?? '',
    String(file.bytes ?? ''),
    ...file.parts.map((p) => `${p.url}#${p.bytes ?? ''}#${p.sha256 ?? ''}`),
  ];
  const identity = [encoder, decoder]
    .flatMap((file) => [...describe(file), ...(file.externalData ?? []).flatMap((d) => [d.path, ...describe(d)])])
    .join('|');
  return { ...manifest, name, contract, precision, encoder, decoder, key: `${name}@${hashString(identity)}` };
}

/** FNV-1a, 53-bit-safe via two lanes: a short stable key, not a security hash. */
function hashString(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 2246822519);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/**
 * Fetches and resolves a manifest URL (relative URLs resolve against the document).
 * `notFound` answers a 404/403 instead of failing (used to probe a mirror for a packed manifest).
 */
export async function fetchManifest(url: string, signal?: AbortSignal): Promise<ResolvedManifest>;
export async function fetchManifest<T>(url: string, signal: AbortSignal | undefined, notFound: () => T): Promise<ResolvedManifest | T>;
export async function fetchManifest<T>(url: string, signal?: AbortSignal, notFound?: () => T): Promise<ResolvedManifest | T> {
  const absolute = new URL(url, document.baseURI).href;
  let response: Response;
  try {
    response = await fetch(absolute, { signal, credentials: 'same-origin' });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new Sam2Error('model-fetch-failed', `Could not fetch the model manifest ${absolute}`, { cause });
  }
  // Object stores (S3, GCS) answer 403 for a missing object when listing is not allowed.
  if (notFound && (response.status === 404 || response.status === 403)) return notFound();
  if (!response.ok) {
    throw new Sam2Error('model-fetch-failed', `Model manifest ${absolute} answered HTTP ${response.status}`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch (cause) {
    throw new Sam2Error('model-contract', `Model manifest ${absolute} is not valid JSON`, { cause });
  }
  return resolveManifest(json, response.url || absolute);
}

import { Sam2Error } from '../errors.js';

/**
 * The model manifest (see README "Model manifests"): which files make a model, how they are
 * split, and their hashes. URLs are relative to the manifest.
 */
export type ModelContract = 'samexporter' | 'onnx-community';
export const MODEL_CONTRACTS: readonly ModelContract[] = ['samexporter', 'onnx-community'];

export interface ManifestPart {
  url: string;
  bytes: number;
  sha256?: string;
}

export interface ManifestFile {
  bytes: number;
  sha256?: string;
  parts: ManifestPart[];
  /** Weights stored beside the graph (ONNX external data), as onnx-community exports do. */
  externalData?: Array<{ path: string; bytes: number; sha256?: string; parts: ManifestPart[] }>;
}

export interface ModelManifest {
  name: string;
  contract?: ModelContract;
  encoder: ManifestFile;
  decoder: ManifestFile;
}

/** A manifest whose part URLs are absolute: what the worker receives. */
export interface ResolvedManifest extends ModelManifest {
  contract: ModelContract;
  /** Stable identity of the model: cache key for sessions and stored files. */
  key: string;
}

function fail(message: string): never {
  throw new Sam2Error('model-contract', `Invalid model manifest: ${message}`);
}

function checkFile(value: unknown, role: string): ManifestFile {
  if (typeof value !== 'object' || value === null) fail(`"${role}" is missing`);
  const file = value as ManifestFile;
  if (!Array.isArray(file.parts) || file.parts.length === 0) fail(`"${role}.parts" must be a non-empty list`);
  for (const part of file.parts) {
    if (typeof part?.url !== 'string' || !part.url) fail(`every part of "${role}" needs a url`);
    if (part.bytes !== undefined && !(Number.isInteger(part.bytes) && part.bytes >= 0)) {
      fail(`"${role}" part ${part.url} has an invalid byte count`);
    }
  }
  return file;
}

/** Validates a manifest object and makes every URL absolute against `baseUrl`. */
export function resolveManifest(value: unknown, baseUrl: string): ResolvedManifest {
  if (typeof value !== 'object' || value === null) fail('expected a JSON object');
  const manifest = value as ModelManifest;
  const contract = manifest.contract ?? 'samexporter';
  if (!MODEL_CONTRACTS.includes(contract)) fail(`unknown contract "${String(contract)}"`);
  const resolveFile = (file: ManifestFile): ManifestFile => ({
    ...file,
    parts: file.parts.map((part) => ({ ...part, url: new URL(part.url, baseUrl).href })),
    externalData: file.externalData?.map((data) => ({
      ...data,
      parts: data.parts.map((part) => ({ ...part, url: new URL(part.url, baseUrl).href })),
    })),
  });
  const encoder = resolveFile(checkFile(manifest.encoder, 'encoder'));
  const decoder = resolveFile(checkFile(manifest.decoder, 'decoder'));
  const name = typeof manifest.name === 'string' && manifest.name ? manifest.name : 'model';
  // Identity = every part URL + size + hash: a changed file never reuses a stale cache entry, and
  // two different models never share one (the bug of keying a cache by "encoder"/"decoder").
  const identity = [encoder, decoder]
    .flatMap((file) => [file.sha256 ?? '', String(file.bytes), ...file.parts.map((p) => `${p.url}#${p.bytes}#${p.sha256 ?? ''}`)])
    .join('|');
  return { ...manifest, name, contract, encoder, decoder, key: `${name}@${hashString(identity)}` };
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

/** Fetches and resolves a manifest URL (relative URLs resolve against the document). */
export async function fetchManifest(url: string, signal?: AbortSignal): Promise<ResolvedManifest> {
  const absolute = new URL(url, document.baseURI).href;
  let response: Response;
  try {
    response = await fetch(absolute, { signal, credentials: 'same-origin' });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new Sam2Error('model-fetch-failed', `Could not fetch the model manifest ${absolute}`, { cause });
  }
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

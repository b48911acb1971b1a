/**
 * What the worker holds per image handle (`imageKey`): the input prepared ahead of its encode,
 * and once encoded, its size, embeddings and the source kept to draw cut-outs.
 */
import type { Embeddings } from './contracts.js';
import { contentIdentity } from './embedding-cache.js';
import { decodeImage, fetchImage, toModelInput } from './preprocess.js';
import type { PrepareImageRequest, WorkerImageSource } from './protocol.js';

export interface EncodedImage {
  modelKey: string;
  width: number;
  height: number;
  embeddings: Embeddings;
  /** Kept to draw cut-outs: URLs/Blobs are decoded again on demand, pixel sources kept. */
  source: WorkerImageSource;
}

export interface PreparedInput {
  input: Float32Array;
  width: number;
  height: number;
  /** Kept for cut-outs when the page handed over pixels (they can't be fetched again). */
  bitmap: ImageBitmap | null;
  decodeMs: number;
  preprocessMs: number;
  /** Hash identity of a URL's bytes (when asked for), the disk cache's key. */
  contentId: string | null;
}

const images = new Map<string, EncodedImage>();
/** Inputs prepared ahead of their encode, by imageKey. */
const preparedInputs = new Map<string, Promise<PreparedInput>>();

export const getImage = (key: string): EncodedImage | undefined => images.get(key);
export const imagesHeld = (): number => images.size;

export function setImage(key: string, image: EncodedImage) {
  images.set(key, image);
}

/**
 * Decode + resize + normalise. With `hashUrl`, a URL is fetched here (not inside decodeImage) so
 * its bytes are hashed beside the decode; a Blob's hash is its memory-cache identity already.
 */
export async function prepareInput(source: WorkerImageSource, hashUrl: boolean): Promise<PreparedInput> {
  const t0 = performance.now();
  const url = hashUrl && source.kind === 'url' ? source.url : null;
  const fetched = url ? await fetchImage(url) : null;
  const [bitmap, contentId] = await Promise.all([
    fetched ? decodeImage({ kind: 'blob', blob: fetched }, undefined, url!) : decodeImage(source),
    fetched ? contentIdentity(fetched).catch(() => null) : null,
  ]);
  const t1 = performance.now();
  const keep = source.kind === 'bitmap' || source.kind === 'image-data';
  try {
    const input = toModelInput(bitmap);
    return { input, width: bitmap.width, height: bitmap.height, bitmap: keep ? bitmap : null, decodeMs: t1 - t0, preprocessMs: performance.now() - t1, contentId };
  } finally {
    if (!keep) bitmap.close();
  }
}

export async function handlePrepareImage(request: PrepareImageRequest) {
  const pending = prepareInput(request.source, (request.embeddingCache ?? 'disk') === 'disk');
  preparedInputs.set(request.imageKey, pending);
  // A failure is reported by the encode that uses it, not twice.
  const { width, height } = await pending.catch(() => ({ width: 0, height: 0 }));
  return { width, height };
}

/** The input prepared ahead for this handle, if any; the caller owns it from now on. */
export function takePreparedInput(key: string): Promise<PreparedInput> | undefined {
  const prepared = preparedInputs.get(key);
  preparedInputs.delete(key);
  return prepared;
}

export function releaseImage(key: string) {
  void preparedInputs.get(key)?.then((p) => p.bitmap?.close(), () => {});
  preparedInputs.delete(key);
  const image = images.get(key);
  if (image?.source.kind === 'bitmap') image.source.bitmap.close();
  images.delete(key);
}

/** Forgets every image (the GPU device that held their embeddings is gone). */
export function forgetImages() {
  images.clear();
}

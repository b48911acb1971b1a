/**
 * Recently computed image embeddings, so returning to an image (the same bytes, from a URL or as
 * a Blob/File) skips the encoder: the encoder is ~97% of the cost of a new image. Keyed by model
 * and a hash of the image's bytes, never by URL: the file behind a URL may change. An entry is
 * ~17 MB (three float32 feature maps), hence a small LRU.
 */
import type { Embeddings } from './contracts.js';
import { sha256Hex } from '../model/integrity.js';

export interface CachedEmbedding<E = Embeddings> {
  width: number;
  height: number;
  embeddings: E;
}

export class EmbeddingCache<E = Embeddings> {
  private readonly _entries = new Map<string, CachedEmbedding<E>>();

  constructor(private readonly _capacity = 4) {}

  get(key: string): CachedEmbedding<E> | undefined {
    const entry = this._entries.get(key);
    if (entry) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this._entries.delete(key);
      this._entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedEmbedding<E>) {
    this._entries.delete(key);
    this._entries.set(key, entry);
    while (this._entries.size > this._capacity) this._entries.delete(this._entries.keys().next().value!);
  }

  /** Forgets every entry of a model (its sessions are gone). */
  dropModel(modelKey: string) {
    for (const key of this._entries.keys()) if (key.startsWith(`${modelKey}|`)) this._entries.delete(key);
  }

  get size() {
    return this._entries.size;
  }
}

/** Identity of encoded image bytes (a Blob, or what a URL answered): what both caches key on. */
export async function contentIdentity(blob: Blob): Promise<string> {
  return `bytes:${blob.size}:${await sha256Hex(new Uint8Array(await blob.arrayBuffer()))}`;
}

/**
 * Image embeddings kept on disk (OPFS, else IndexedDB), so a visitor who comes back to a photo — on another
 * visit, in another tab, after the worker restarted — skips the encoder (seconds) for a ~20 ms
 * read. Keyed by model identity + a hash of the image's bytes, never by URL alone: a URL whose
 * content changed is a different image.
 *
 * One store entry per embedding: the three tensors as raw chunks, then a small `meta` chunk
 * written LAST. An entry without `meta`, or whose chunk sizes disagree with it, is half-written
 * and never used; so is a chunk whose bytes changed since they were written (the store checks
 * each read against the checksum written with it): the entry is removed and the image encoded
 * again. Least-recently-used entries beyond the capacity are removed after each write.
 */
import type * as ort from 'onnxruntime-web/wasm';
import type { ChunkStore } from '../model/chunk-store.js';
import { sha256Hex } from '../model/integrity.js';
import { openPersistentStore, storageFault } from '../model/open-store.js';
import type { Embeddings } from './contracts.js';
import type { CachedEmbedding } from './embedding-cache.js';

const ROOT = 'sam2-segmenter-embeddings';
const META = 'meta';
/** ~17 MB each for SAM 2.1: 16 entries stay under 300 MB. */
const DEFAULT_CAPACITY = 16;

interface Meta {
  /** The full key, checked on read (entry names are hashes of it). */
  key: string;
  modelKey: string;
  width: number;
  height: number;
  tensors: Array<{ type: ort.Tensor.Type; dims: number[]; bytes: number }>;
  usedAt: number;
}

type TensorConstructor = new (type: ort.Tensor.Type, data: ort.Tensor.DataType, dims: readonly number[]) => ort.Tensor;

export class EmbeddingStore {
  private _store: Promise<ChunkStore | null> | null = null;
  /** Stored entries refused on read (changed bytes, wrong sizes): never used, removed. */
  rejected = 0;

  constructor(
    private readonly _Tensor: TensorConstructor,
    private readonly _open: () => Promise<ChunkStore> = async () => (await openPersistentStore(ROOT, storageFault())).store,
    private readonly _capacity = DEFAULT_CAPACITY,
  ) {}

  /** OPFS or IndexedDB, or null where neither can be used: then embeddings are simply not kept across visits. */
  private _opened(): Promise<ChunkStore | null> {
    this._store ??= this._open().catch(() => null);
    return this._store;
  }

  async get(modelKey: string, imageId: string): Promise<CachedEmbedding | null> {
    const store = await this._opened();
    if (!store) return null;
    const key = `${modelKey}|${imageId}`;
    const entry = await entryName(key);
    try {
      const chunks = await store.list(entry);
      const meta = chunks.has(META) ? await readMeta(store, entry) : null;
      if (!meta || meta.key !== key || meta.tensors.length !== 3) return null;
      if (meta.tensors.some((t, i) => chunks.get(`t${i}`) !== t.bytes)) {
        this.rejected++;
        await store.remove(entry);
        return null;
      }
      const tensors = await Promise.all(
        meta.tensors.map(async (t, i) => {
          const bytes = await store.read(entry, `t${i}`);
          return new this._Tensor(t.type, typedArray(t.type, bytes), t.dims);
        }),
      );
      // Marks the entry recently used (eviction order); failing to is harmless.
      void store.write(entry, META, encodeMeta({ ...meta, usedAt: Date.now() })).catch(() => {});
      return { width: meta.width, height: meta.height, embeddings: tensors as Embeddings };
    } catch {
      // A chunk that changed on disk (or can't be read): never used, and not kept either.
      this.rejected++;
      await store.remove(entry).catch(() => {});
      return null;
    }
  }

  /** Stores an embedding; storage problems (quota, no OPFS) are not errors for the page. */
  async put(modelKey: string, imageId: string, value: CachedEmbedding): Promise<void> {
    const store = await this._opened();
    if (!store) return;
    const key = `${modelKey}|${imageId}`;
    const entry = await entryName(key);
    try {
      const tensors = value.embeddings.map((tensor) => {
        const data = tensor.data as ArrayBufferView;
        return { type: tensor.type, dims: [...tensor.dims], bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      });
      // The meta chunk goes last: its presence means every tensor chunk is complete.
      await store.remove(entry, META);
      for (const [i, t] of tensors.entries()) await store.write(entry, `t${i}`, t.bytes);
      const meta: Meta = {
        key,
        modelKey,
        width: value.width,
        height: value.height,
        tensors: tensors.map((t) => ({ type: t.type, dims: t.dims, bytes: t.bytes.byteLength })),
        usedAt: Date.now(),
      };
      await store.write(entry, META, encodeMeta(meta));
      await this._evict(store, entry);
    } catch {
      await store.remove(entry).catch(() => {});
    }
  }

  /** Removes the entries of the given models (all entries when omitted). */
  async clear(modelKeys?: string[]): Promise<void> {
    const store = await this._opened();
    if (!store) return;
    for (const entry of await store.entries()) {
      if (modelKeys) {
        const meta = await readMeta(store, entry);
        if (!meta || !modelKeys.includes(meta.modelKey)) continue;
      }
      await store.remove(entry).catch(() => {});
    }
  }

  private async _evict(store: ChunkStore, keep: string) {
    const entries: Array<{ entry: string; usedAt: number }> = [];
    for (const entry of await store.entries()) {
      if (entry === keep) continue;
      const meta = await readMeta(store, entry);
      // Entries without meta may be another tab's write in progress: left alone.
      if (meta) entries.push({ entry, usedAt: meta.usedAt });
    }
    entries.sort((a, b) => a.usedAt - b.usedAt);
    for (const { entry } of entries.slice(0, Math.max(0, entries.length + 1 - this._capacity))) {
      await store.remove(entry).catch(() => {});
    }
  }
}

async function readMeta(store: ChunkStore, entry: string): Promise<Meta | null> {
  try {
    return JSON.parse(new TextDecoder().decode(await store.read(entry, META))) as Meta;
  } catch {
    return null;
  }
}

const encodeMeta = (meta: Meta) => new TextEncoder().encode(JSON.stringify(meta));

/** OPFS names can't hold the key's characters (URLs, '|'): its SHA-256 in hex instead. */
const entryName = (key: string): Promise<string> => sha256Hex(new TextEncoder().encode(key));

function typedArray(type: ort.Tensor.Type, bytes: Uint8Array): ort.Tensor.DataType {
  const { buffer, byteOffset, byteLength } = bytes;
  switch (type) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'float16':
      return new Uint16Array(buffer, byteOffset, byteLength / 2);
    default:
      throw new TypeError(`Unexpected embedding type ${type}`);
  }
}

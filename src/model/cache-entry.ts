/**
 * One model's entry in the store, as seen by one load. It never lets a storage failure fail the
 * load: the first failure is reported once (storage-quota / storage-unavailable, recoverable)
 * and the load carries on in memory without persisting anything more.
 */
import type { Sam2Error } from '../errors.js';
import { storageError, type ChunkStore } from './chunk-store.js';

export class CacheEntry {
  private _failure: Sam2Error | null = null;

  private constructor(
    readonly store: ChunkStore,
    readonly name: string,
    private readonly _chunks: Map<string, number>,
    private readonly _onWarning: (warning: Sam2Error) => void,
  ) {}

  static async open(store: ChunkStore, name: string, onWarning: (warning: Sam2Error) => void): Promise<CacheEntry> {
    let chunks = new Map<string, number>();
    let failure: unknown = null;
    try {
      chunks = await store.list(name);
    } catch (error) {
      failure = error;
    }
    const entry = new CacheEntry(store, name, chunks, onWarning);
    if (failure) entry.fail(failure, 'reading the cache');
    return entry;
  }

  /** False after a storage failure: nothing more is written. */
  get persisting(): boolean {
    return this._failure === null;
  }

  get failure(): Sam2Error | null {
    return this._failure;
  }

  /** Stops persisting and warns once. */
  fail(cause: unknown, doing: string) {
    if (this._failure) return;
    this._failure = storageError(cause, doing);
    this._onWarning(this._failure);
  }

  size(chunk: string): number | undefined {
    return this._chunks.get(chunk);
  }

  names(): string[] {
    return [...this._chunks.keys()];
  }

  /** Bytes of every chunk, or null when it can't be read (it is then dropped and fetched again). */
  async read(chunk: string, into?: Uint8Array): Promise<Uint8Array | null> {
    if (!this._chunks.has(chunk)) return null;
    try {
      return await this.store.read(this.name, chunk, into);
    } catch {
      await this.remove(chunk);
      return null;
    }
  }

  async write(chunk: string, bytes: Uint8Array): Promise<void> {
    if (this._failure) return;
    try {
      await this.store.write(this.name, chunk, bytes);
      this._chunks.set(chunk, bytes.byteLength);
    } catch (error) {
      this.fail(error, `writing ${chunk}`);
    }
  }

  async remove(chunk: string): Promise<void> {
    this._chunks.delete(chunk);
    await this.store.remove(this.name, chunk).catch(() => {});
  }

  async readJson<T>(chunk: string): Promise<T | null> {
    const bytes = await this.read(chunk);
    if (!bytes) return null;
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as T;
    } catch {
      await this.remove(chunk);
      return null;
    }
  }

  writeJson(chunk: string, value: unknown): Promise<void> {
    return this.write(chunk, new TextEncoder().encode(JSON.stringify(value)));
  }

  /** Bytes the entry occupies in the store. */
  storedBytes(): number {
    let total = 0;
    for (const size of this._chunks.values()) total += size;
    return total;
  }
}

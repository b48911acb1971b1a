/**
 * A ChunkStore in worker memory: used when OPFS is unavailable (some private modes, old
 * browsers) so the loader runs one code path, and by tests. Chunks are kept by reference: the
 * loader hands in views of the buffer it assembles anyway, so nothing is held twice.
 */
import type { ChunkStore } from './chunk-store.js';

export class MemoryStore implements ChunkStore {
  readonly persistent = false;
  private readonly _entries = new Map<string, Map<string, Uint8Array>>();

  async entries(): Promise<string[]> {
    return [...this._entries.keys()];
  }

  async list(entry: string): Promise<Map<string, number>> {
    const chunks = this._entries.get(entry);
    return new Map([...(chunks ?? [])].map(([name, bytes]) => [name, bytes.byteLength]));
  }

  async read(entry: string, name: string, into?: Uint8Array): Promise<Uint8Array> {
    const bytes = this._entries.get(entry)?.get(name);
    if (!bytes) throw new DOMException(`No chunk ${entry}/${name}`, 'NotFoundError');
    if (!into) return bytes;
    into.set(bytes);
    return into;
  }

  async write(entry: string, name: string, bytes: Uint8Array): Promise<void> {
    let chunks = this._entries.get(entry);
    if (!chunks) this._entries.set(entry, (chunks = new Map()));
    chunks.set(name, bytes);
  }

  async remove(entry: string, name?: string): Promise<void> {
    if (name === undefined) this._entries.delete(entry);
    else this._entries.get(entry)?.delete(name);
  }
}

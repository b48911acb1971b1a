/**
 * The model cache on disk: the Origin Private File System, one directory per model entry, one
 * file per chunk, written with synchronous access handles (worker-only, and the fastest OPFS
 * path: no IPC per write, reads straight into the caller's buffer).
 */
import type { ChunkStore } from './chunk-store.js';

// The DOM lib lacks the worker-only parts of OPFS; typed here by hand.
interface SyncAccessHandle {
  read(buffer: Uint8Array, options?: { at?: number }): number;
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  getSize(): number;
  close(): void;
}
type FileHandle = FileSystemFileHandle & {
  createSyncAccessHandle(options?: { mode?: 'readwrite' | 'read-only' }): Promise<SyncAccessHandle>;
  move?(name: string): Promise<void>;
};
type DirectoryHandle = FileSystemDirectoryHandle & { entries(): AsyncIterableIterator<[string, FileSystemHandle]> };

const ROOT = 'sam2-segmenter';
const TEMP = '.tmp';

const isNotFound = (error: unknown) => (error as { name?: string })?.name === 'NotFoundError';

export class OpfsStore implements ChunkStore {
  readonly persistent = true;

  private constructor(private readonly _root: DirectoryHandle) {}

  /**
   * Throws (SecurityError, TypeError, ...) where OPFS or sync access handles are missing.
   * @param rootName the top-level OPFS directory (models and image embeddings live apart)
   */
  static async open(rootName = ROOT): Promise<OpfsStore> {
    const storage = navigator.storage as StorageManager | undefined;
    if (!storage?.getDirectory) throw new DOMException('navigator.storage.getDirectory is not available', 'NotSupportedError');
    if (typeof FileSystemFileHandle === 'undefined' || !('createSyncAccessHandle' in FileSystemFileHandle.prototype)) {
      throw new DOMException('OPFS sync access handles are not available here', 'NotSupportedError');
    }
    const origin = await storage.getDirectory();
    return new OpfsStore((await origin.getDirectoryHandle(rootName, { create: true })) as DirectoryHandle);
  }

  private async _dir(entry: string, create: boolean): Promise<DirectoryHandle | null> {
    try {
      return (await this._root.getDirectoryHandle(entry, { create })) as DirectoryHandle;
    } catch (error) {
      if (!create && isNotFound(error)) return null;
      throw error;
    }
  }

  async entries(): Promise<string[]> {
    const names: string[] = [];
    for await (const [name, handle] of this._root.entries()) if (handle.kind === 'directory') names.push(name);
    return names;
  }

  async list(entry: string): Promise<Map<string, number>> {
    const chunks = new Map<string, number>();
    const dir = await this._dir(entry, false);
    if (!dir) return chunks;
    for await (const [name, handle] of dir.entries()) {
      // A temporary file is a write in progress, or one that never finished (the tab closed
      // mid-chunk). Not deleted here: list() runs without the entry's lock (cachedModels()),
      // and the next write of that chunk, or removing the entry, takes care of it.
      if (handle.kind === 'file' && !name.endsWith(TEMP)) chunks.set(name, (await (handle as FileHandle).getFile()).size);
    }
    return chunks;
  }

  async read(entry: string, name: string, into?: Uint8Array): Promise<Uint8Array> {
    const dir = await this._dir(entry, false);
    if (!dir) throw new DOMException(`No cache entry ${entry}`, 'NotFoundError');
    const file = (await dir.getFileHandle(name)) as FileHandle;
    let handle: SyncAccessHandle;
    try {
      // 'read-only' handles may coexist (two tabs reading the same chunk).
      handle = await file.createSyncAccessHandle({ mode: 'read-only' });
    } catch {
      const bytes = new Uint8Array(await (await file.getFile()).arrayBuffer());
      if (!into) return bytes;
      if (bytes.byteLength !== into.byteLength) throw new DOMException(`${name} has ${bytes.byteLength} bytes, expected ${into.byteLength}`, 'NotReadableError');
      into.set(bytes);
      return into;
    }
    try {
      const size = handle.getSize();
      const out = into ?? new Uint8Array(size);
      if (out.byteLength !== size) throw new DOMException(`${name} has ${size} bytes, expected ${out.byteLength}`, 'NotReadableError');
      let at = 0;
      while (at < size) {
        const n = handle.read(out.subarray(at), { at });
        if (n <= 0) throw new DOMException(`${name} ended at ${at} of ${size} bytes`, 'NotReadableError');
        at += n;
      }
      return out;
    } finally {
      handle.close();
    }
  }

  async write(entry: string, name: string, bytes: Uint8Array): Promise<void> {
    const dir = (await this._dir(entry, true))!;
    // Written under a temporary name and renamed when written, so a chunk that exists under its
    // real name is complete: a tab closed mid-write leaves only a .tmp file.
    // No flush(): it is an fsync that blocks the worker (hundreds of ms on a busy disk) and only
    // guards against power loss. Such a loss is caught when onnxruntime rejects the cached file
    // (it is then fetched again), not when the damage leaves a loadable model.
    const canRename = typeof (FileSystemHandle.prototype as { move?: unknown }).move === 'function';
    const target = canRename ? `${name}${TEMP}` : name;
    const file = (await dir.getFileHandle(target, { create: true })) as FileHandle;
    const handle = await file.createSyncAccessHandle();
    try {
      handle.truncate(0);
      let at = 0;
      while (at < bytes.byteLength) {
        const n = handle.write(bytes.subarray(at), { at });
        if (n <= 0) throw new DOMException(`Short write of ${name}`, 'InvalidStateError');
        at += n;
      }
    } catch (error) {
      handle.close();
      await dir.removeEntry(target).catch(() => {});
      throw error;
    }
    handle.close();
    if (!canRename) return;
    await dir.removeEntry(name).catch((error) => {
      if (!isNotFound(error)) throw error;
    });
    await file.move!(name);
  }

  async remove(entry: string, name?: string): Promise<void> {
    try {
      if (name === undefined) await this._root.removeEntry(entry, { recursive: true });
      else await (await this._dir(entry, false))?.removeEntry(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/**
 * The model cache on disk: the Origin Private File System, one directory per model entry, one
 * file per chunk, written with synchronous access handles (worker-only, and the fastest OPFS
 * path: no IPC per write, reads straight into the caller's buffer).
 *
 * Each file is the chunk's bytes followed by their SHA-256 (32 bytes), written in one go and
 * renamed into place: a read hashes what it got and throws CorruptChunkError when the bytes are
 * not the ones written (a zeroed range, a truncated file, a file from an older layout).
 */
import type { ChunkStore } from './chunk-store.js';
import { CHECKSUM_BYTES, CorruptChunkError, checksum, verifyChecksum } from './integrity.js';

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
    const root = (await origin.getDirectoryHandle(rootName, { create: true })) as DirectoryHandle;
    await probeSyncAccess(root);
    return new OpfsStore(root);
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
      if (handle.kind !== 'file' || name.endsWith(TEMP)) continue;
      const size = (await (handle as FileHandle).getFile()).size - CHECKSUM_BYTES;
      // Shorter than a checksum: not a chunk this store wrote; read() refuses it too.
      chunks.set(name, Math.max(0, size));
    }
    return chunks;
  }

  async read(entry: string, name: string, into?: Uint8Array): Promise<Uint8Array> {
    const dir = await this._dir(entry, false);
    if (!dir) throw new DOMException(`No cache entry ${entry}`, 'NotFoundError');
    const file = (await dir.getFileHandle(name)) as FileHandle;
    const expected = new Uint8Array(CHECKSUM_BYTES);
    let out: Uint8Array;
    let handle: SyncAccessHandle | null = null;
    try {
      // 'read-only' handles may coexist (two tabs reading the same chunk).
      handle = await file.createSyncAccessHandle({ mode: 'read-only' });
    } catch {
      handle = null;
    }
    if (handle) {
      try {
        const size = handle.getSize() - CHECKSUM_BYTES;
        out = sized(into, size, name);
        readFully(handle, out, 0, name);
        readFully(handle, expected, size, name);
      } finally {
        handle.close();
      }
    } else {
      // Another context holds a read-write handle, or sync handles are read-write only here.
      const stored = new Uint8Array(await (await file.getFile()).arrayBuffer());
      const size = stored.byteLength - CHECKSUM_BYTES;
      out = sized(into, size, name);
      out.set(stored.subarray(0, size));
      expected.set(stored.subarray(size));
    }
    await verifyChecksum(out, expected, `${entry}/${name}`);
    return out;
  }

  async write(entry: string, name: string, bytes: Uint8Array): Promise<void> {
    const dir = (await this._dir(entry, true))!;
    // Written under a temporary name and renamed when written, so a chunk that exists under its
    // real name is complete: a tab closed mid-write leaves only a .tmp file.
    // No flush(): it is an fsync that blocks the worker (hundreds of ms on a busy disk) and only
    // guards against power loss. Such a loss is caught when onnxruntime rejects the cached file
    // (it is then fetched again), not when the damage leaves a loadable model.
    const sum = await checksum(bytes);
    const canRename = typeof (FileSystemHandle.prototype as { move?: unknown }).move === 'function';
    const target = canRename ? `${name}${TEMP}` : name;
    const file = (await dir.getFileHandle(target, { create: true })) as FileHandle;
    let handle: SyncAccessHandle | null = null;
    try {
      // Inside the try: where sync handles exist but throw (WebKitGTK with OPFS enabled throws
      // NotSupportedError), the file just created must not stay behind.
      handle = await file.createSyncAccessHandle();
      handle.truncate(0);
      writeFully(handle, bytes, 0, name);
      writeFully(handle, sum, bytes.byteLength, name);
    } catch (error) {
      handle?.close();
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

function sized(into: Uint8Array | undefined, size: number, name: string): Uint8Array {
  if (size < 0) throw new CorruptChunkError(`${name} is shorter than its checksum`);
  const out = into ?? new Uint8Array(size);
  if (out.byteLength !== size) throw new CorruptChunkError(`${name} has ${size} bytes, expected ${out.byteLength}`);
  return out;
}

function readFully(handle: SyncAccessHandle, out: Uint8Array, start: number, name: string) {
  let done = 0;
  while (done < out.byteLength) {
    const n = handle.read(out.subarray(done), { at: start + done });
    if (n <= 0) throw new CorruptChunkError(`${name} ended at byte ${start + done}`);
    done += n;
  }
}

function writeFully(handle: SyncAccessHandle, bytes: Uint8Array, start: number, name: string) {
  let done = 0;
  while (done < bytes.byteLength) {
    const n = handle.write(bytes.subarray(done), { at: start + done });
    if (n <= 0) throw new DOMException(`Short write of ${name}`, 'InvalidStateError');
    done += n;
  }
}

/**
 * Where OPFS exists but sync access handles don't work, opening fails here, once, so the caller
 * picks another store instead of failing every write. Seen on WebKitGTK 2.50 (Debian 12) with
 * OPFS enabled: the method exists and throws NotSupportedError (no upstream bug found; issue 11
 * of this repository has the observation).
 * The probe file has a unique name (two tabs may probe at once) and is always removed.
 */
async function probeSyncAccess(root: DirectoryHandle): Promise<void> {
  const name = `probe-${Math.random().toString(36).slice(2)}${TEMP}`;
  try {
    const file = (await root.getFileHandle(name, { create: true })) as FileHandle;
    const handle = await file.createSyncAccessHandle();
    handle.close();
  } finally {
    await root.removeEntry(name).catch(() => {});
  }
}

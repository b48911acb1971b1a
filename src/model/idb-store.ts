/**
 * The persistent cache where OPFS can't be used (WebKitGTK as shipped has no
 * `navigator.storage`; with OPFS enabled its sync access handles throw): IndexedDB, which every
 * engine offers in workers. Same contract as the OPFS store: a chunk is written all or nothing
 * (one transaction holds its bytes and its record), and a read hands back exactly the bytes that
 * were written or throws CorruptChunkError (each record keeps the SHA-256 computed at write time).
 *
 * Two object stores keyed by `[entry, chunk]`: `chunks` (size + checksum, small, so listing an
 * entry reads no bytes) and `bytes` (the chunk itself, an ArrayBuffer of exactly its size).
 */
import type { ChunkStore } from './chunk-store.js';
import { CorruptChunkError, checksum, verifyChecksum } from './integrity.js';

interface ChunkRecord {
  size: number;
  checksum: ArrayBuffer;
}

const VERSION = 1;
const RECORDS = 'chunks';
const BYTES = 'bytes';

/** Every key of an entry: arrays sort after strings, so `[entry, []]` follows `[entry, 'any name']`. */
const entryRange = (entry: string) => IDBKeyRange.bound([entry], [entry, []]);

const done = (request: IDBRequest) =>
  new Promise<unknown>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

const committed = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    // A full disk aborts the transaction with QuotaExceededError (mapped to storage-quota).
    tx.onabort = () => reject(tx.error ?? new DOMException('The transaction was aborted', 'AbortError'));
    tx.onerror = () => reject(tx.error);
  });

export class IdbStore implements ChunkStore {
  readonly persistent = true;

  private constructor(private readonly _db: IDBDatabase) {
    // Another tab upgrading the schema: step aside (this worker reopens on its next start).
    _db.onversionchange = () => _db.close();
  }

  /** Throws where IndexedDB is missing or refused (some private modes). */
  static async open(name: string): Promise<IdbStore> {
    if (typeof indexedDB === 'undefined') throw new DOMException('IndexedDB is not available', 'NotSupportedError');
    const request = indexedDB.open(name, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS);
      if (!db.objectStoreNames.contains(BYTES)) db.createObjectStore(BYTES);
    };
    const db = (await done(request)) as IDBDatabase;
    return new IdbStore(db);
  }

  async entries(): Promise<string[]> {
    const keys = (await done(this._db.transaction(RECORDS).objectStore(RECORDS).getAllKeys())) as Array<[string, string]>;
    return [...new Set(keys.map(([entry]) => entry))];
  }

  async list(entry: string): Promise<Map<string, number>> {
    const store = this._db.transaction(RECORDS).objectStore(RECORDS);
    const [keys, records] = (await Promise.all([done(store.getAllKeys(entryRange(entry))), done(store.getAll(entryRange(entry)))])) as [
      Array<[string, string]>,
      ChunkRecord[],
    ];
    return new Map(keys.map(([, name], i) => [name, records[i].size]));
  }

  async read(entry: string, name: string, into?: Uint8Array): Promise<Uint8Array> {
    const tx = this._db.transaction([RECORDS, BYTES]);
    const [record, stored] = (await Promise.all([done(tx.objectStore(RECORDS).get([entry, name])), done(tx.objectStore(BYTES).get([entry, name]))])) as [
      ChunkRecord | undefined,
      ArrayBuffer | undefined,
    ];
    if (!record || !stored) throw new DOMException(`No chunk ${entry}/${name}`, 'NotFoundError');
    if (stored.byteLength !== record.size) throw new CorruptChunkError(`${entry}/${name} has ${stored.byteLength} bytes, its record says ${record.size}`);
    let out: Uint8Array = new Uint8Array(stored);
    if (into) {
      if (into.byteLength !== out.byteLength) throw new CorruptChunkError(`${entry}/${name} has ${out.byteLength} bytes, expected ${into.byteLength}`);
      into.set(out);
      out = into;
    }
    await verifyChecksum(out, new Uint8Array(record.checksum), `${entry}/${name}`);
    return out;
  }

  async write(entry: string, name: string, bytes: Uint8Array): Promise<void> {
    const sum = await checksum(bytes);
    // A view is cloned with its whole buffer: store a copy of exactly these bytes.
    const exact = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    const tx = this._db.transaction([RECORDS, BYTES], 'readwrite');
    tx.objectStore(BYTES).put(exact, [entry, name]);
    tx.objectStore(RECORDS).put({ size: bytes.byteLength, checksum: sum.buffer as ArrayBuffer } satisfies ChunkRecord, [entry, name]);
    await committed(tx);
  }

  async remove(entry: string, name?: string): Promise<void> {
    const tx = this._db.transaction([RECORDS, BYTES], 'readwrite');
    const key = name === undefined ? entryRange(entry) : [entry, name];
    tx.objectStore(RECORDS).delete(key);
    tx.objectStore(BYTES).delete(key);
    await committed(tx);
  }
}

/**
 * Gets the bytes behind one URL (an unsplit model file, or one part of a packed one): the chunks
 * the cache has, the rest from the network, every chunk stored as soon as it is complete.
 *
 * - When the server honours Range: requests of `rangeSize` bytes, several at once (the first
 *   one also tells the size when the manifest doesn't).
 * - Otherwise one streamed request, still stored in `rangeSize` chunks as it passes.
 * - Then the checks: size (the manifest's, else what every Content-Range reported), and every
 *   SHA-256 the manifest gives. Bytes that fail are forgotten and fetched once more; failing
 *   again is a `model-integrity` error. Nothing unchecked is ever returned.
 * - Storing a chunk (its checksum, then a write to the store) never holds up a request: the
 *   writes queue behind the downloads (a few at once), the file's hash runs beside the last of
 *   them, and the unit is done when both are. On a fast network the checksums and writes were
 *   the larger part of a cold load (bench/results/gpu-2026-12-02-b.md: the loader's fetch 1.5 s
 *   against a plain fetch's 0.19 s).
 */
import { Sam2Error } from '../errors.js';
import type { CacheEntry } from './cache-entry.js';
import { FetchFailure, open, type ByteRange, type OpenResponse } from './http.js';
import { sha256Hex } from './integrity.js';
import type { DownloadOptions } from './manifest.js';
import type { ProgressMeter } from './progress.js';
import { Pool, allOrAbort, retrying } from './schedule.js';

/** Cached chunks read at once: enough to overlap reads with their checksums, few enough copies. */
const CACHE_READS_IN_FLIGHT = 3;
/**
 * Chunks being stored at once per load: two overlap one chunk's checksum (WebCrypto, off this
 * thread) with the next one's write, and bound the copies WebCrypto makes of what it hashes.
 */
export const STORE_WRITES_IN_FLIGHT = 2;

export interface LoadContext {
  entry: CacheEntry;
  options: Required<DownloadOptions>;
  pool: Pool;
  /** Chunk writes to the store (STORE_WRITES_IN_FLIGHT at once), shared by the load's units. */
  writer: Pool;
  meter: ProgressMeter;
  signal: AbortSignal;
  /** Stops the whole load at once (a failure no retry fixes). */
  abortAll(): void;
}

/** Bytes moved, for diagnostics and `source: 'cache' | 'network'`. */
export interface TransferStats {
  /** Received over the network (including any that had to be fetched again). */
  fromNetwork: number;
  /** Read from the cache. */
  fromCache: number;
  /** Stored chunks that failed their checksum (dropped and fetched again). */
  repairedChunks: number;
}

export interface Unit {
  /** Prefixes the unit's chunk names in the cache entry; never contains '~'. */
  id: string;
  /** The model file the bytes count towards in the progress. */
  fileId: string;
  url: string;
  /** Size from the manifest, when known. */
  bytes?: number;
  /** SHA-256 values from the manifest (a file's and its part's): the bytes must match each. */
  sha256: string[];
  /** Where to put the bytes (a part's slot in its file); must have the unit's size. */
  target?: Uint8Array;
}

/** What the cache remembers about a unit besides its chunks. */
interface UnitMeta {
  /** Total size, as the server reported it. */
  size?: number;
  /** Whether the server honoured Range requests. */
  ranges?: boolean;
  etag?: string | null;
  /** The bytes passed their size and hash checks. */
  verified?: boolean;
}

/** A problem with the bytes as a whole: forget them and start the unit over (once). */
export class StartOver extends Error {
  constructor(readonly reason: Sam2Error) {
    super(reason.message);
  }
}

export const chunkName = (id: string, what: string) => `${id}~${what}`;
const rangeName = (id: string, range: ByteRange) => chunkName(id, `r${range.start}-${range.end}`);

/** Removes every chunk of a unit. */
export async function forgetUnit(id: string, entry: CacheEntry) {
  for (const name of entry.names()) if (name.startsWith(`${id}~`)) await entry.remove(name);
}

function plan(size: number, rangeSize: number): ByteRange[] {
  const ranges: ByteRange[] = [];
  for (let start = 0; start < size; start += rangeSize) ranges.push({ start, end: Math.min(size, start + rangeSize) });
  return ranges;
}

/**
 * Loads a unit; `onSize` hears its size once known (after its cached chunks are counted, so the
 * first progress event already includes every cached byte), or null when the server won't say.
 */
export async function loadUnit(unit: Unit, ctx: LoadContext, stats: TransferStats, onSize: (size: number | null) => void): Promise<Uint8Array> {
  for (let round = 0; ; round++) {
    // Each attempt aborts its own requests when one of them fails for good.
    const controller = new AbortController();
    const attempt = { ...ctx, signal: AbortSignal.any([ctx.signal, controller.signal]) };
    try {
      return await attemptUnit(unit, attempt, controller, stats, onSize);
    } catch (error) {
      if (!(error instanceof StartOver)) throw error;
      // Bytes that failed a check are never kept, not even to be checked again.
      await forgetUnit(unit.id, ctx.entry);
      if (round >= 1 || ctx.signal.aborted) throw error.reason;
    }
  }
}

async function attemptUnit(
  unit: Unit,
  ctx: LoadContext,
  controller: AbortController,
  stats: TransferStats,
  onSize: (size: number | null) => void,
): Promise<Uint8Array> {
  const { entry, options, signal, url } = { ...ctx, url: unit.url };
  const metaName = chunkName(unit.id, 'meta');
  let meta = (await entry.readJson<UnitMeta>(metaName)) ?? {};
  let size: number | null = unit.bytes ?? meta.size ?? null;
  let buffer: Uint8Array | null = null;
  let missing: ByteRange[] = [];
  /** A stored chunk failed its checksum and is fetched again. */
  let repaired = false;
  /**
   * The attempt's chunk writes in flight. Every way out of the attempt waits for them, so nothing
   * of it is still written after it failed (and its chunks were forgotten) or after the caller
   * released the model's lock.
   */
  const writes: Array<Promise<void>> = [];
  /**
   * Stores a complete chunk behind the downloads. A chunk queued before a sibling failed is still
   * written: it is intact, and a later visit resumes after it (when the failure was the file
   * changing on the server, the unit's chunks are all forgotten once these writes are done).
   */
  const store = (name: string, bytes: Uint8Array) => {
    writes.push(ctx.writer.run(() => entry.write(name, bytes)));
  };
  const stored = () => Promise.all(writes.splice(0)).then(() => undefined);

  /**
   * Runs a request in a pool slot with its retries. A final failure aborts the siblings before
   * the slot is handed on, so no queued request goes out after the attempt has failed.
   */
  const request = <T>(task: () => Promise<T>) =>
    ctx.pool.run(async () => {
      try {
        return await retrying(options.retries, signal, task);
      } catch (error) {
        if (!signal.aborted) {
          controller.abort();
          if (!(error instanceof StartOver)) ctx.abortAll();
        }
        throw error;
      }
    });
  const saveMeta = async (next: UnitMeta) => {
    meta = next;
    await entry.writeJson(metaName, meta);
  };
  const changed = (what: string) =>
    new StartOver(new Sam2Error('model-integrity', `${url} changed on the server during the download (${what})`));

  /**
   * Knowing the size: place the buffer, read what the cache has, list what is missing. Reads are
   * pipelined (a few at once, into their slots of the buffer) so the store's checksum of one
   * chunk, computed off this thread, overlaps the read of the next.
   */
  const prepare = async (total: number) => {
    size = total;
    if (unit.target && unit.target.byteLength !== total) {
      throw new Sam2Error('model-integrity', `${url} is ${total} bytes, the manifest says ${unit.target.byteLength}`);
    }
    const target = (buffer = unit.target ?? new Uint8Array(total));
    missing = [];
    const readers = new Pool(CACHE_READS_IN_FLIGHT);
    await Promise.all(
      plan(total, options.rangeSize).map((range) =>
        readers.run(async () => {
          const name = rangeName(unit.id, range);
          const stored = entry.size(name);
          const bytes = stored === range.end - range.start ? await entry.read(name, target.subarray(range.start, range.end)) : null;
          if (bytes) {
            stats.fromCache += bytes.byteLength;
            ctx.meter.credit(unit.fileId, name, bytes.byteLength, bytes.byteLength);
          } else {
            // A chunk that was stored but could not be read back intact was dropped by the
            // entry: the file's bytes must pass the manifest's hash again once it is repaired.
            if (stored !== undefined) {
              repaired = true;
              stats.repairedChunks++;
            }
            missing.push(range);
          }
        }),
      ),
    );
    missing.sort((a, b) => a.start - b.start);
    onSize(total);
  };

  const finish = async (bytes: Uint8Array) => {
    if (unit.bytes !== undefined && bytes.byteLength !== unit.bytes) {
      throw new StartOver(new Sam2Error('model-integrity', `${url} is ${bytes.byteLength} bytes, the manifest says ${unit.bytes}`));
    }
    const trusted = meta.verified && !repaired;
    // The hash runs beside the last writes; `verified` is saved only once every chunk is stored.
    const hashing = unit.sha256.length && !trusted ? sha256Hex(bytes) : null;
    await stored();
    if (hashing) {
      const actual = await hashing;
      if (!unit.sha256.every((hash) => hash.toLowerCase() === actual)) {
        throw new StartOver(new Sam2Error('model-integrity', `${url} does not match its SHA-256 in the manifest`));
      }
    }
    if (!trusted) await saveMeta({ ...meta, size: bytes.byteLength, verified: true });
    // Chunks of another range size (an earlier visit with other options) are dead weight now.
    const current = new Set(plan(bytes.byteLength, options.rangeSize).map((r) => rangeName(unit.id, r)));
    for (const name of entry.names()) if (name.startsWith(`${unit.id}~r`) && !current.has(name)) await entry.remove(name);
    return bytes;
  };

  /**
   * One GET of the whole body, stored in range-sized chunks as it passes. `noRanges`: the server
   * answered a Range request with the whole file (remembered, so a later visit doesn't ask).
   */
  const streamWhole = async (given: OpenResponse | null, noRanges: boolean): Promise<Uint8Array> => {
    const response = given ?? (await open(url, null, signal, options.stallTimeout));
    if (response.status !== 200) {
      response.cancel();
      throw new FetchFailure(`Downloading ${url} failed: HTTP ${response.status}`, false);
    }
    const sink = new Sink(buffer ?? response.lengthHint, url);
    let chunkStart = 0;
    const storeUpTo = (end: number) => {
      const range = { start: chunkStart, end };
      const name = rangeName(unit.id, range);
      if (entry.size(name) !== end - chunkStart) store(name, sink.view(range.start, range.end));
      chunkStart = end;
    };
    await response.read((chunk) => {
      sink.push(chunk);
      stats.fromNetwork += chunk.byteLength;
      while (sink.length - chunkStart >= options.rangeSize) storeUpTo(chunkStart + options.rangeSize);
      const name = rangeName(unit.id, { start: chunkStart, end: Math.min(chunkStart + options.rangeSize, size ?? Infinity) });
      ctx.meter.credit(unit.fileId, name, sink.length - chunkStart);
    });
    const received = sink.length;
    if (size !== null && received < size) throw new FetchFailure(`${url} ended after ${received} of ${size} bytes`, true);
    if (received > chunkStart) storeUpTo(received);
    if (size === null) onSize(received);
    await saveMeta({ size: received, ranges: noRanges ? false : meta.ranges, etag: response.etag });
    return sink.bytes();
  };

  /** One Range request into its place in the buffer, then stored. */
  const fetchRange = async (range: ByteRange, given: OpenResponse | null) => {
    const response = given ?? (await open(url, range, signal, options.stallTimeout));
    const name = rangeName(unit.id, range);
    const slot = buffer!.subarray(range.start, range.end);
    let skip = 0;
    if (response.status === 206) {
      const answered = response.range ?? range;
      if (answered.start !== range.start || answered.end !== range.end) {
        response.cancel();
        throw new FetchFailure(`${url} answered bytes ${answered.start}-${answered.end - 1} to a request for ${range.start}-${range.end - 1}`, true);
      }
      if (response.range?.total != null && response.range.total !== size) {
        response.cancel();
        throw changed(`it reported ${size} bytes, then ${response.range.total}`);
      }
      if (meta.etag && response.etag && response.etag !== meta.etag) {
        response.cancel();
        throw changed(`ETag ${meta.etag}, then ${response.etag}`);
      }
    } else if (response.status === 200) {
      // The server stopped honouring Range (some CDNs do on a cache miss): take this range
      // out of the full body rather than fail.
      skip = range.start;
    } else {
      throw changed('HTTP 416 for a range inside the file');
    }
    let received = 0;
    const full = () => received === slot.byteLength;
    try {
      await response.read((chunk) => {
        stats.fromNetwork += chunk.byteLength;
        let piece = chunk;
        if (skip) {
          const dropped = Math.min(skip, piece.byteLength);
          skip -= dropped;
          piece = piece.subarray(dropped);
        }
        if (piece.byteLength > slot.byteLength - received) {
          if (response.status === 206) {
            response.cancel();
            throw new StartOver(new Sam2Error('model-integrity', `${url} sent more than the ${slot.byteLength} bytes of range ${range.start}-${range.end - 1}`));
          }
          piece = piece.subarray(0, slot.byteLength - received);
        }
        slot.set(piece, received);
        received += piece.byteLength;
        ctx.meter.credit(unit.fileId, name, received, slot.byteLength);
        // A whole-file answer: stop once this range is in.
        if (full() && response.status === 200) response.cancel();
      });
    } catch (error) {
      if (!(full() && response.status === 200)) throw error;
    }
    if (!full()) {
      throw new FetchFailure(`${url} range ${range.start}-${range.end - 1} ended after ${received} of ${slot.byteLength} bytes`, true);
    }
    // A sibling failed (maybe the file changed on the server): store nothing more of this attempt.
    if (!signal.aborted) store(name, slot);
  };

  /**
   * The first request (the first missing range, or the first range of a file of unknown size)
   * also tells whether the server honours Range and how big the file is.
   */
  const probe = () =>
    request(async (): Promise<Uint8Array | 'ranges' | 'stream'> => {
      const first = missing[0] ?? { start: 0, end: options.rangeSize };
      let response: OpenResponse;
      try {
        response = await open(url, first, signal, options.stallTimeout);
      } catch (error) {
        // Some servers and proxies break Range requests outright (browsers refuse a gzip'd
        // answer to one): a request refused without any response goes on without Range.
        if (error instanceof FetchFailure && error.refused && !signal.aborted) return 'stream';
        throw error;
      }
      if (response.status === 200) return streamWhole(response, true);
      if (response.status === 416) {
        response.cancel();
        throw changed('HTTP 416');
      }
      const total = response.range?.total ?? size;
      // A 206 whose Content-Range is hidden (cross-origin, not exposed) can't be placed.
      if (total === null || (!response.range && size === null)) {
        response.cancel();
        return 'stream';
      }
      if (size !== null && total !== size) {
        response.cancel();
        if (unit.bytes !== undefined) throw new Sam2Error('model-integrity', `${url} is ${total} bytes on the server, the manifest says ${unit.bytes}`);
        throw changed(`the cache has ${size} bytes, the server ${total}`);
      }
      if (meta.etag && response.etag && response.etag !== meta.etag) {
        response.cancel();
        throw changed(`ETag ${meta.etag}, then ${response.etag}`);
      }
      if (size === null) await prepare(total);
      if (!meta.ranges || meta.size !== total) await saveMeta({ ...meta, size: total, ranges: true, etag: response.etag ?? meta.etag ?? null });
      const range = { start: first.start, end: Math.min(first.end, total) };
      await fetchRange(range, response);
      missing = missing.filter((r) => r.start !== range.start);
      return 'ranges';
    });

  const run = async () => {
    if (size !== null) {
      await prepare(size);
      if (!missing.length) return finish(buffer!);
    }
    const streamed = async () => finish(await request(() => streamWhole(null, false)));
    if (meta.ranges === false) return streamed();
    const outcome = await probe();
    if (outcome instanceof Uint8Array) return finish(outcome);
    if (outcome === 'stream') return streamed();
    await allOrAbort(
      controller,
      missing.map((range) => request(() => fetchRange(range, null))),
    );
    return finish(buffer!);
  };
  try {
    return await run();
  } finally {
    // A failed attempt's writes too (its chunks are forgotten next); they never reject.
    await Promise.all(writes);
  }
}

/** Collects a body into a fixed buffer (size known) or a growing one (size unknown). */
class Sink {
  private _buffer: Uint8Array;
  private readonly _fixed: boolean;
  length = 0;

  constructor(target: Uint8Array | number | null | undefined, private readonly _url: string) {
    this._fixed = target instanceof Uint8Array;
    this._buffer = target instanceof Uint8Array ? target : new Uint8Array(Math.max(1 << 16, target ?? 1 << 20));
  }

  push(chunk: Uint8Array) {
    if (this.length + chunk.byteLength > this._buffer.byteLength) {
      if (this._fixed) throw new StartOver(new Sam2Error('model-integrity', `${this._url} is larger than the manifest says`));
      const grown = new Uint8Array(Math.max(this._buffer.byteLength * 2, this.length + chunk.byteLength));
      grown.set(this._buffer.subarray(0, this.length));
      this._buffer = grown;
    }
    this._buffer.set(chunk, this.length);
    this.length += chunk.byteLength;
  }

  view(start: number, end: number): Uint8Array {
    return this._buffer.subarray(start, end);
  }

  bytes(): Uint8Array {
    return this.length === this._buffer.byteLength ? this._buffer : this._buffer.slice(0, this.length);
  }
}

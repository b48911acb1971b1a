/**
 * One HTTP request for (a range of) a model file, with a stall watchdog. Knows nothing about
 * chunks or caching: it reports what the server said (status, Content-Range, a size hint) and
 * streams the body. Content-Length is only ever a progress hint: a gzip'd response's
 * Content-Length is the compressed size, and cross-origin the Content-Encoding header that would
 * tell is usually not exposed.
 */
import { Sam2Error } from '../errors.js';

/**
 * A failed transfer; `retryable` when trying again may help (network, 5xx, cut, stall).
 * `refused`: no response at all and no stall, i.e. the browser or network rejected the request
 * itself (what a Range request gets from a server that gzips its answer to it).
 */
export class FetchFailure extends Sam2Error {
  constructor(message: string, readonly retryable: boolean, cause?: unknown, readonly refused = false) {
    super('model-fetch-failed', message, { cause });
  }
}

export interface ByteRange {
  start: number;
  /** Exclusive. */
  end: number;
}

export interface OpenResponse {
  status: number;
  /** Content-Range of a 206 (`total` null when the server sent `*`). Null without one. */
  range: (ByteRange & { total: number | null }) | null;
  /** Content-Length of an uncompressed-looking 200: a progress hint, never a check. */
  lengthHint: number | null;
  /** Strong ETag, when exposed: tells a changed file apart between visits. */
  etag: string | null;
  /** Streams the body; rejects with a retryable FetchFailure when it is cut or stalls. */
  read(onChunk: (chunk: Uint8Array) => void): Promise<void>;
  /** Stops the transfer (the rest of the body is not wanted). */
  cancel(): void;
}

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Sends GET (with `Range` when given) and resolves once headers arrive; 200, 206 and 416 are answers. */
export async function open(url: string, range: ByteRange | null, signal: AbortSignal, stallTimeout: number): Promise<OpenResponse> {
  const local = new AbortController();
  const combined = AbortSignal.any([signal, local.signal]);
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      local.abort();
    }, stallTimeout);
  };
  const failure = (what: string, cause: unknown, beforeResponse: boolean) => {
    clearTimeout(timer);
    if (signal.aborted) return signal.reason ?? cause;
    if (stalled) return new FetchFailure(`${url} stalled: no data for ${stallTimeout} ms ${what}`, true, cause);
    return new FetchFailure(`The download of ${url} was interrupted ${what}`, true, cause, beforeResponse);
  };

  arm();
  let response: Response;
  try {
    response = await fetch(url, {
      signal: combined,
      credentials: 'same-origin',
      // The OPFS store is the cache; the HTTP cache would hold a second copy of every byte.
      cache: 'no-store',
      headers: range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {},
    });
  } catch (cause) {
    throw failure('before it started', cause, true);
  }
  // Headers came. The watchdog only times waits on the network: it rests until read() starts,
  // so work the caller does in between (cache reads and writes) never looks like a stall.
  clearTimeout(timer);
  const { status } = response;
  if (status !== 200 && status !== 206 && status !== 416) {
    clearTimeout(timer);
    local.abort();
    throw new FetchFailure(`Downloading ${url} failed: HTTP ${status}`, RETRY_STATUS.has(status));
  }
  const headers = response.headers;
  const contentRange = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headers.get('Content-Range') ?? '');
  const encoded = (headers.get('Content-Encoding') ?? 'identity') !== 'identity';
  const length = Number(headers.get('Content-Length'));
  const etag = headers.get('ETag');
  return {
    status,
    range: contentRange
      ? { start: Number(contentRange[1]), end: Number(contentRange[2]) + 1, total: contentRange[3] === '*' ? null : Number(contentRange[3]) }
      : null,
    lengthHint: status === 200 && !encoded && Number.isFinite(length) && length > 0 ? length : null,
    etag: etag && !etag.startsWith('W/') ? etag : null,
    async read(onChunk) {
      if (!response.body) {
        clearTimeout(timer);
        return;
      }
      const reader = response.body.getReader();
      try {
        for (;;) {
          arm();
          let next: ReadableStreamReadResult<Uint8Array>;
          try {
            next = await reader.read();
          } catch (cause) {
            throw failure('mid-way', cause, false);
          }
          clearTimeout(timer);
          if (next.done) break;
          // The consumer's own errors (e.g. too many bytes) pass through as they are.
          onChunk(next.value);
        }
      } catch (error) {
        local.abort();
        throw error;
      } finally {
        clearTimeout(timer);
        reader.releaseLock();
      }
    },
    cancel() {
      clearTimeout(timer);
      local.abort();
    },
  };
}

/** Whether trying the same request again may succeed. */
export const isRetryable = (error: unknown) => error instanceof FetchFailure && error.retryable;

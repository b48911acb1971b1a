/** Concurrency and retry helpers of the downloader. */
import { isRetryable } from './http.js';

/** At most `size` tasks at once, first come first served (keeps a few HTTP requests in flight). */
export class Pool {
  private _active = 0;
  private readonly _waiting: Array<() => void> = [];

  constructor(private readonly _size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this._active < this._size) this._active++;
    else await new Promise<void>((resolve) => this._waiting.push(resolve));
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next task, or give it back.
      const next = this._waiting.shift();
      if (next) next();
      else this._active--;
    }
  }
}

/** Runs `attempt` again after retryable failures (network, 5xx, cut, stall, bad hash), with backoff. */
export async function retrying<T>(retries: number, signal: AbortSignal, attempt: () => Promise<T>): Promise<T> {
  for (let failures = 0; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      if (signal.aborted || failures >= retries || !isRetryable(error)) throw error;
      await sleep(Math.min(4000, 250 * 2 ** failures), signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/**
 * Like Promise.all, but the first failure aborts the others and waits for them to stop, so no
 * task still writes to the cache after the caller has released its lock.
 */
export async function allOrAbort<T>(controller: AbortController, tasks: Array<Promise<T>>): Promise<T[]> {
  const watched = tasks.map((task) =>
    task.catch((error) => {
      controller.abort();
      throw error;
    }),
  );
  const settled = await Promise.allSettled(watched);
  const errors = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
  // The siblings we aborted fail with AbortError: report the failure that caused it.
  if (errors.length) throw errors.find((e) => !isAbortError(e)) ?? errors[0];
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

const isAbortError = (error: unknown) => (error as { name?: string })?.name === 'AbortError';

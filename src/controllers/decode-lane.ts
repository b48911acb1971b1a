/**
 * Latest wins for one object's decodes (and re-renders): at most one request in flight and one
 * waiting. A newer request replaces the waiting one, whose callers get `null` (superseded); a
 * result that was overtaken while in flight is dropped and its callers get `null` too. A job reads
 * the object's state when it STARTS, so the waiting slot always runs the newest prompts: 200
 * un-awaited calls cost two decoder runs, whatever the order of messages in the worker.
 */
export interface Waiter<T> {
  resolve(value: T | null): void;
  reject(error: unknown): void;
}

/**
 * Starts the work. `isCurrent()` says whether its result may still be shown (nothing newer was
 * asked for, and the lane was not cancelled); the job applies its result only then, and resolves
 * null otherwise.
 */
export type LaneJob<T> = (signal: AbortSignal, isCurrent: () => boolean) => Promise<T | null>;

interface Entry<T> {
  job: LaneJob<T>;
  waiters: Waiter<T>[];
  controller: AbortController;
}

export class DecodeLane<T> {
  private _running: Entry<T> | null = null;
  private _queued: Entry<T> | null = null;

  /** A request is in flight. */
  get busy(): boolean {
    return this._running !== null;
  }

  /** Schedules a job; the returned promise settles with its result, or null when superseded. */
  schedule(job: LaneJob<T>): Promise<T | null> {
    return new Promise((resolve, reject) => {
      const entry: Entry<T> = { job, waiters: [{ resolve, reject }], controller: new AbortController() };
      if (this._queued) settle(this._queued.waiters, null);
      if (this._running) this._queued = entry;
      else void this._start(entry);
    });
  }

  /**
   * Drops the waiting job and makes the one in flight undeliverable (aborting its request):
   * callers get `null`, or the error given (e.g. `aborted` when the element was removed).
   */
  cancel(error: unknown = null): void {
    for (const entry of [this._queued, this._running]) {
      if (!entry) continue;
      entry.controller.abort();
      if (error === null) settle(entry.waiters, null);
      else fail(entry.waiters, error);
    }
    this._queued = null;
    this._running = null;
  }

  private async _start(entry: Entry<T>) {
    this._running = entry;
    const isCurrent = () => this._running === entry && this._queued === null && !entry.controller.signal.aborted;
    try {
      const value = await entry.job(entry.controller.signal, isCurrent);
      settle(entry.waiters, isCurrent() ? value : null);
    } catch (error) {
      // A failure of an overtaken request is no one's business: the newer one decides.
      if (isCurrent()) fail(entry.waiters, error);
      else settle(entry.waiters, null);
    } finally {
      if (this._running === entry) {
        this._running = null;
        const next = this._queued;
        this._queued = null;
        if (next) void this._start(next);
      }
    }
  }
}

function settle<T>(waiters: Waiter<T>[], value: T | null) {
  for (const w of waiters.splice(0)) w.resolve(value);
}
function fail<T>(waiters: Waiter<T>[], error: unknown) {
  for (const w of waiters.splice(0)) w.reject(error);
}

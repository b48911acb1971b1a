/**
 * The element's events, typed by name from the event map. State changes bubble and cross shadow
 * roots; `error` does neither. An element that is not in the document emits nothing: a removed
 * element must not keep telling the page about downloads and encodes it no longer needs.
 */
import { Sam2Error, isAbort, type Sam2ErrorCode } from '../errors.js';
import type { ErrorDetail, Sam2SegmenterEventMap } from '../events.js';

export type EventName = keyof Sam2SegmenterEventMap;
export type EventDetail<K extends EventName> = Sam2SegmenterEventMap[K]['detail'];

export class Emitter {
  /**
   * Errors already reported: a crash or a lost device fails every request in flight with the
   * SAME error object the client announces, and the page should hear about it once.
   */
  private readonly _reported = new WeakSet<Sam2Error>();

  constructor(private readonly _host: HTMLElement) {}

  emit<K extends Exclude<EventName, 'error'>>(type: K, detail: EventDetail<K>): void {
    if (!this._host.isConnected) return;
    this._host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** Reports a failure as an `error` event (once per error object; aborts are not failures). */
  error(error: unknown, fallback: Sam2ErrorCode): Sam2Error {
    const e = Sam2Error.from(error, fallback);
    if (isAbort(e) || this._reported.has(e)) return e;
    this._reported.add(e);
    // Tasks report errors just before they change status; listeners should see 'error'.
    queueMicrotask(() => {
      if (!this._host.isConnected) return;
      const detail: ErrorDetail = { code: e.code, message: e.message, recoverable: e.recoverable };
      this._host.dispatchEvent(new CustomEvent('error', { detail, bubbles: false, composed: false }));
    });
    return e;
  }
}

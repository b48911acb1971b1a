/**
 * The element's events typed on its class (not on every element through a global
 * HTMLElementEventMap augmentation): `addEventListener('mask-change', e => e.detail...)`
 * type-checks, and `error` / `progress` get their CustomEvent detail instead of the DOM's
 * ErrorEvent / ProgressEvent.
 */
import { LitElement } from 'lit';
import type { Sam2SegmenterEventMap } from './events.js';

export class TypedEventsElement extends LitElement {
  /** @internal */
  override addEventListener<K extends keyof Sam2SegmenterEventMap>(type: K, listener: (this: this, event: Sam2SegmenterEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  /** @internal */
  override addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: this, event: HTMLElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  /** @internal */
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  /** @internal */
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  /** @internal */
  override removeEventListener<K extends keyof Sam2SegmenterEventMap>(type: K, listener: (this: this, event: Sam2SegmenterEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  /** @internal */
  override removeEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: this, event: HTMLElementEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  /** @internal */
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
  /** @internal */
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }
}

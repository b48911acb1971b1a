/**
 * Lazy loading: `loading="lazy"` starts the model and image work when the element comes within
 * 200 px of the viewport, or at the first interaction or method call; `eager` starts at once.
 * Observes only while connected and not yet active.
 */
import type { ReactiveController } from 'lit';
import type { SegmenterHost } from './host.js';

export class VisibilityController implements ReactiveController {
  /** Work may start (once true, stays true). */
  active = false;
  private _observer: IntersectionObserver | null = null;

  constructor(private readonly _host: SegmenterHost) {
    _host.addController(this);
  }

  hostConnected(): void {
    if (this._host.loading === 'eager') this.activate();
    else this._observe();
  }

  hostUpdate(): void {
    if (this._host.loading === 'eager') this.activate();
  }

  hostDisconnected(): void {
    this._observer?.disconnect();
    this._observer = null;
  }

  activate(): void {
    this.hostDisconnected();
    if (this.active) return;
    this.active = true;
    this._host.requestUpdate();
  }

  private _observe() {
    if (this.active || this._observer) return;
    this._observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.activate();
    }, { rootMargin: '200px' });
    this._observer.observe(this._host);
  }
}

/**
 * Download progress of a whole model (every file of encoder and decoder) as one monotonic
 * number. Bytes are credited per chunk at most once: a range that is cut and fetched again, or a
 * part that failed its hash, doesn't count twice, so `loaded` never exceeds the real total and
 * the bar never runs backwards. Bytes already in the cache count as loaded at once.
 */
import type { ProgressDetail } from '../events.js';

export class ProgressMeter {
  private readonly _totals = new Map<string, number | null>();
  private readonly _credited = new Map<string, number>();
  private readonly _perFile = new Map<string, number>();
  private _loaded = 0;
  private _fraction = 0;
  private _lastEmit = -Infinity;

  /**
   * @param files ids of every file; nothing is emitted until each has a total (or is known to
   *   have none), so an early total that still lacks the encoder never shows a jumpy bar.
   * @param interval minimum ms between events while bytes flow (the contract is ≤ 250 ms).
   */
  constructor(
    private readonly _files: readonly string[],
    private readonly _emit: (detail: ProgressDetail) => void,
    private readonly _interval = 100,
  ) {}

  /** `null`: the server would not say (no Content-Range, compressed body). */
  setTotal(file: string, total: number | null) {
    this._totals.set(file, total);
    this._maybeEmit(true);
  }

  /** The chunk `chunk` of `file` has `received` bytes in the current attempt. */
  credit(file: string, chunk: string, received: number) {
    const before = this._credited.get(chunk) ?? 0;
    if (received <= before) return;
    this._credited.set(chunk, received);
    this._loaded += received - before;
    this._perFile.set(file, (this._perFile.get(file) ?? 0) + received - before);
    this._maybeEmit(false);
  }

  get loaded(): number {
    return this._loaded;
  }

  /** Everything is downloaded and verified: the final 100% event. */
  finish() {
    const total = Math.max(this._loaded, this._sumTotals().total);
    this._fraction = 1;
    this._emit({ phase: 'download', loaded: total, total, fraction: 1 });
  }

  private _sumTotals() {
    let total = 0;
    let unknown = false;
    for (const file of this._files) {
      const t = this._totals.get(file);
      if (t === null || t === undefined) unknown = true;
      // An unknown total is at least what already arrived.
      total += Math.max(t ?? 0, this._perFile.get(file) ?? 0);
    }
    return { total, unknown };
  }

  private _maybeEmit(force: boolean) {
    if (this._files.some((file) => !this._totals.has(file))) return;
    const now = performance.now();
    if (!force && now - this._lastEmit < this._interval) return;
    this._lastEmit = now;
    const { total, unknown } = this._sumTotals();
    let fraction = total > 0 ? this._loaded / total : 0;
    // Not done until finish(): verification and an unknown total may still be pending.
    fraction = Math.min(fraction, unknown ? 0.99 : 0.999);
    this._fraction = Math.max(this._fraction, fraction);
    this._emit({ phase: 'download', loaded: this._loaded, total, fraction: this._fraction });
  }
}

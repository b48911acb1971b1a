/**
 * Download progress of a whole model (every file of encoder and decoder) as one monotonic
 * number. Bytes are credited per chunk at most once: a range that is cut and fetched again, or a
 * part that failed its hash, doesn't count twice, so `loaded` never exceeds the real total and
 * the bar never runs backwards. Bytes already in the cache count as loaded at once.
 */
import type { ProgressDetail } from '../events.js';

/** Progress inside one phase (what a phase's own meter reports); the job adds the overall fraction. */
export interface PhaseProgress {
  phase: ProgressDetail['phase'];
  loaded: number;
  total: number;
  /** 0..1 within the phase. */
  fraction: number;
}

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
   * @param interval minimum ms between events while bytes flow, besides one per completed chunk.
   */
  constructor(
    private readonly _files: readonly string[],
    private readonly _emit: (detail: PhaseProgress) => void,
    private readonly _interval = 100,
  ) {}

  /** `null`: the server would not say (no Content-Range, compressed body). */
  setTotal(file: string, total: number | null) {
    this._totals.set(file, total);
    this._maybeEmit(true);
  }

  /**
   * The chunk `chunk` of `file` has `received` bytes in the current attempt. A chunk that is
   * complete (`received` equals its `size`, when given) is always reported: the bar moves at
   * least once per chunk, whatever the interval and however busy the thread.
   */
  credit(file: string, chunk: string, received: number, size?: number) {
    const before = this._credited.get(chunk) ?? 0;
    if (received <= before) return;
    this._credited.set(chunk, received);
    this._loaded += received - before;
    this._perFile.set(file, (this._perFile.get(file) ?? 0) + received - before);
    this._maybeEmit(received === size);
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

/**
 * One job's progress as the page sees it (architecture.md, "Visible states and errors"): one
 * overall `fraction` that never decreases and ends at 1, with `phase` and `phaseFraction` saying
 * where inside the job it is. A model load is download then compile; a phase entered again (a
 * cached model onnxruntime refused is downloaded once more) is fitted into what is left of the
 * bar instead of sending it back.
 */
export class JobProgress {
  private _fraction = 0;
  private _start = 0;
  private _span = 1;
  /** The phase reporter in force: a reporter of an earlier phase moves nothing. */
  private _current: object | null = null;

  constructor(private readonly _emit: (detail: ProgressDetail) => void) {}

  get fraction(): number {
    return this._fraction;
  }

  /**
   * A reporter for a phase that takes `share` (0..1) of what remains of the job, e.g. download
   * 0.8 then compile 1 (the rest).
   */
  phase(phase: ProgressDetail['phase'], share: number): (detail: PhaseProgress) => void {
    const token = {};
    let entered = false;
    return (detail) => {
      if (!entered) {
        entered = true;
        this._current = token;
        this._start = this._fraction;
        this._span = Math.max(0, Math.min(1, share)) * (1 - this._fraction);
      }
      if (this._current !== token) return;
      const phaseFraction = Math.max(0, Math.min(1, detail.fraction));
      const overall = Math.min(this._start + this._span * phaseFraction, 1);
      this._fraction = Math.max(this._fraction, overall);
      this._emit({ phase, loaded: detail.loaded, total: detail.total, fraction: this._fraction, phaseFraction });
    };
  }

  /** The job is done: its last event says 1 (unless one already did). */
  finish(last: PhaseProgress) {
    if (this._fraction >= 1) return;
    this._fraction = 1;
    this._emit({ phase: last.phase, loaded: last.loaded, total: last.total, fraction: 1, phaseFraction: 1 });
  }
}

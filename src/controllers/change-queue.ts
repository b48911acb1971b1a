/**
 * Prompt changes waiting for the image (made before the encode was done): kept in call order,
 * drawn as pending, applied in that order once the image is ready.
 */
import type { ChangeSource, MaskResult } from '../events.js';
import type { Prompts } from '../geometry/prompts.js';
import type { Waiter } from './decode-lane.js';
import type { Size } from './host.js';

/**
 * A change of one object's prompts. `apply` returns the new prompts (null: keep them, just
 * decode); given the image size it also checks that they fit (throws `invalid-argument`).
 */
export interface PromptChange {
  apply(current: Prompts, size: Size | null): Prompts | null;
  /** A click added to the same object: it may refine the previous mask (official predictor). */
  refine: boolean;
  source: ChangeSource;
}

export interface QueuedChange extends PromptChange {
  objectId: number;
  waiter: Waiter<MaskResult>;
}

const EMPTY: Prompts = { points: [], box: null };

export class ChangeQueue {
  private _changes: QueuedChange[] = [];

  push(change: QueuedChange): void {
    this._changes.push(change);
  }

  /** Every waiting change, in order, leaving the queue empty. */
  takeAll(): QueuedChange[] {
    return this._changes.splice(0);
  }

  /** Takes back an object's last waiting change (its caller gets null); false if it had none. */
  dropLast(objectId: number): boolean {
    const index = this._changes.findLastIndex((c) => c.objectId === objectId);
    if (index < 0) return false;
    this._changes.splice(index, 1)[0].waiter.resolve(null);
    return true;
  }

  /** Drops waiting changes: their callers get null (superseded) or the error. */
  drop(match: (change: QueuedChange) => boolean, error: unknown = null): void {
    const kept: QueuedChange[] = [];
    for (const change of this._changes) {
      if (!match(change)) kept.push(change);
      else if (error) change.waiter.reject(error);
      else change.waiter.resolve(null);
    }
    this._changes = kept;
  }

  /** An object's prompts as drawn: those applied, and (apart) those still waiting for the image. */
  split(objectId: number, applied: Prompts): { applied: Prompts; pending: Prompts } {
    const queued = this._changes.filter((c) => c.objectId === objectId);
    if (!queued.length) return { applied, pending: EMPTY };
    let folded = applied;
    for (const change of queued) folded = change.apply(folded, null) ?? folded;
    const isApplied = (p: Prompts['points'][number]) => applied.points.some((q) => q.x === p.x && q.y === p.y && q.label === p.label);
    const sameBox = JSON.stringify(folded.box) === JSON.stringify(applied.box);
    return {
      applied: { points: folded.points.filter(isApplied), box: sameBox ? applied.box : null },
      pending: { points: folded.points.filter((p) => !isApplied(p)), box: sameBox ? null : folded.box },
    };
  }
}

/**
 * The objects of one image: ids (1, 2, 3, ... never reused for the image), the active one, and
 * what belongs to each: its prompt history, its latest mask result and chosen candidate. Pure
 * state with no I/O, so the rules of architecture.md ("Objects: several per image") live in one
 * small place.
 */
import type { MaskResult, SegmentObjectInfo } from '../events.js';
import { hasPrompts, type Prompts } from '../geometry/prompts.js';
import { DecodeLane } from './decode-lane.js';
import { PromptHistory, clonePrompts } from './prompt-history.js';

const EMPTY_BBOX = { x: 0, y: 0, width: 0, height: 0 };

export class SegmentObject {
  readonly history = new PromptHistory();
  /** This object's decodes: latest wins, independently of other objects. */
  readonly lane = new DecodeLane<MaskResult>();
  /** The latest mask of the current prompts (null: none yet, or cleared). */
  result: MaskResult | null = null;
  /** Candidate the visitor picked (null: the highest predicted IoU). */
  selectedIndex: number | null = null;
  /**
   * The prompts have no matching mask (they changed while the image wasn't ready, or the worker
   * lost its state): decoded again as soon as the image is ready.
   */
  stale = false;
  /**
   * The worker holds this object's candidates from a decode of the CURRENT prompts: re-threshold
   * and candidate switches need no decoder run (a render).
   */
  decoded = false;
  /**
   * The worker holds candidates the next decode may refine (mask_input): those of the previous
   * prompts when only clicks were added since (official predictor), none after other changes.
   */
  refinable = false;
  /** The worker keeps the mask shown in `result` (exports may name this object). */
  kept = false;

  constructor(readonly id: number) {}

  get prompts(): Prompts {
    return this.history.current;
  }

  get hasPrompts(): boolean {
    return hasPrompts(this.history.current);
  }

  /** What the worker derived from the previous prompts no longer applies (undo, crash, clear). */
  forgetDecode(): void {
    this.decoded = false;
    this.refinable = false;
  }

  info(): SegmentObjectInfo {
    const r = this.result;
    return {
      id: this.id,
      prompts: clonePrompts(this.history.current),
      mask: r?.mask ?? null,
      bbox: r?.mask ? { ...r.bbox } : { ...EMPTY_BBOX },
      area: r?.mask ? r.area : 0,
      score: r?.mask ? r.score : 0,
    };
  }
}

export class ObjectSet {
  private _objects: SegmentObject[] = [];
  private _active!: SegmentObject;
  private _nextId = 1;

  constructor() {
    this.reset();
  }

  /** In id order. */
  get all(): readonly SegmentObject[] {
    return this._objects;
  }

  get active(): SegmentObject {
    return this._active;
  }

  get(id: number): SegmentObject | undefined {
    return this._objects.find((o) => o.id === id);
  }

  /** A new empty object, made active. */
  add(): SegmentObject {
    const object = new SegmentObject(this._nextId++);
    this._objects.push(object);
    this._active = object;
    return object;
  }

  /** Makes an object active; false (nothing changes) for an unknown id or the active one. */
  activate(id: number): boolean {
    const object = this.get(id);
    if (!object || object === this._active) return false;
    this._active = object;
    return true;
  }

  /**
   * Removes an object. The active one hands over to the highest remaining id; removing the last
   * leaves a new empty object (the next id). Returns the removed object, or null if unknown.
   */
  remove(id: number): SegmentObject | null {
    const index = this._objects.findIndex((o) => o.id === id);
    if (index < 0) return null;
    const [removed] = this._objects.splice(index, 1);
    if (!this._objects.length) this.add();
    else if (removed === this._active) this._active = this._objects[this._objects.length - 1];
    return removed;
  }

  /** A new image: one empty object, id 1. */
  reset(): void {
    this._objects = [];
    this._nextId = 1;
    this.add();
  }

  /** Ids and the active id, to tell whether an operation changed anything visible. */
  signature(): string {
    return `${this._objects.map((o) => o.id).join(',')}|${this._active.id}`;
  }
}

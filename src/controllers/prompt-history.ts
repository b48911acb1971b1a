import type { Prompts } from '../geometry/prompts.js';

export function clonePrompts(prompts: Prompts): Prompts {
  return {
    points: prompts.points.map((p) => ({ x: p.x, y: p.y, label: p.label })),
    box: prompts.box ? { ...prompts.box } : null,
  };
}

/** Undo/redo over whole prompt snapshots (prompts are tiny; snapshots keep it obviously right). */
export class PromptHistory {
  private _current: Prompts = { points: [], box: null };
  private _undo: Prompts[] = [];
  private _redo: Prompts[] = [];

  get current(): Prompts {
    return this._current;
  }
  get canUndo(): boolean {
    return this._undo.length > 0;
  }
  get canRedo(): boolean {
    return this._redo.length > 0;
  }

  /** Records a change; a new change forgets what was undone. */
  push(next: Prompts): void {
    this._undo.push(this._current);
    this._redo = [];
    this._current = clonePrompts(next);
  }

  undo(): boolean {
    const previous = this._undo.pop();
    if (!previous) return false;
    this._redo.push(this._current);
    this._current = previous;
    return true;
  }

  redo(): boolean {
    const next = this._redo.pop();
    if (!next) return false;
    this._undo.push(this._current);
    this._current = next;
    return true;
  }

  /** Forgets everything (a new image). */
  reset(): void {
    this._current = { points: [], box: null };
    this._undo = [];
    this._redo = [];
  }
}

/**
 * Checks of prompt arguments from the page, as `invalid-argument` errors naming what was wrong.
 *
 * Two stages, because method calls may come before the image's natural size is known (they are
 * queued until the image is ready): `checkPoint`/`checkBox` without a size check types, labels
 * and finiteness at the call; with the size (when the image is ready, at the call or when the
 * queue is applied) they also check that every coordinate lies inside the image
 * (0 ≤ x ≤ width, 0 ≤ y ≤ height).
 */
import { Sam2Error } from '../errors.js';
import { normalizeBox, type PromptBox, type PromptPoint, type Prompts } from './prompts.js';

export interface ImageSize {
  width: number;
  height: number;
}

const invalid = (message: string) => new Sam2Error('invalid-argument', message);
const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const where = (x: number, y: number) => `(${x}, ${y})`;

function checkInside(what: string, x: number, y: number, size: ImageSize | null) {
  if (size && (x < 0 || y < 0 || x > size.width || y > size.height)) {
    throw invalid(`${what} ${where(x, y)} is outside the ${size.width}x${size.height} image`);
  }
}

/** A point with label 1 (include) or 0 (exclude); the label must be exactly the number 0 or 1. */
export function checkPoint(x: unknown, y: unknown, label: unknown, size: ImageSize | null, what = 'addPoint'): PromptPoint {
  if (!finite(x) || !finite(y)) throw invalid(`${what} needs finite numeric coordinates, got (${String(x)}, ${String(y)})`);
  if (label !== 0 && label !== 1) throw invalid(`${what}: label must be 1 (include) or 0 (exclude), got ${JSON.stringify(label) ?? String(label)}`);
  checkInside(`${what}: the point`, x, y, size);
  return { x, y, label };
}

/** A box with finite corners (in any order), normalised; null stays null (no box). */
export function checkBox(box: unknown, size: ImageSize | null, what = 'setBox'): PromptBox | null {
  if (box === null || box === undefined) return null;
  if (typeof box !== 'object') throw invalid(`${what} needs {x1, y1, x2, y2} or null`);
  const { x1, y1, x2, y2 } = box as Record<string, unknown>;
  if (![x1, y1, x2, y2].every(finite)) {
    throw invalid(`${what} needs finite corners, got ${JSON.stringify({ x1, y1, x2, y2 })}`);
  }
  const normalized = normalizeBox({ x1, y1, x2, y2 } as PromptBox);
  checkInside(`${what}: the corner`, normalized.x1, normalized.y1, size);
  checkInside(`${what}: the corner`, normalized.x2, normalized.y2, size);
  return normalized;
}

/** A whole prompt set: `points` (optional array) and `box` (optional, or null). */
export function checkPrompts(prompts: unknown, size: ImageSize | null, what = 'setPrompts'): Prompts {
  if (prompts === null || typeof prompts !== 'object') throw invalid(`${what} needs {points?, box?}`);
  const { points = [], box = null } = prompts as { points?: unknown; box?: unknown };
  if (!Array.isArray(points)) throw invalid(`${what}: points must be an array`);
  return {
    points: points.map((p: unknown, i) => {
      const { x, y, label = 1 } = (p ?? {}) as Record<string, unknown>;
      return checkPoint(x, y, label, size, `${what}: points[${i}]`);
    }),
    box: checkBox(box, size, `${what}: box`),
  };
}

/** Re-checks prompts (already type-checked) against the image once its size is known. */
export function checkPromptsInside(prompts: Prompts, size: ImageSize, what: string): void {
  for (const p of prompts.points) checkInside(`${what}: the point`, p.x, p.y, size);
  if (prompts.box) {
    checkInside(`${what}: the corner`, prompts.box.x1, prompts.box.y1, size);
    checkInside(`${what}: the corner`, prompts.box.x2, prompts.box.y2, size);
  }
}

/**
 * The prompt changes a method call or a gesture can make, as `PromptChange`s: applied at once
 * when the image is ready, or queued until it is. Arguments were type-checked by the caller
 * (geometry/validate.ts); here each change checks that it fits the image once the size is known.
 * A visitor's gestures were made on the shown image, so theirs are clamped into it instead.
 */
import type { ChangeSource } from '../events.js';
import type { PromptBox, PromptPoint, Prompts } from '../geometry/prompts.js';
import { checkPromptsInside } from '../geometry/validate.js';
import type { Size } from './host.js';
import type { PromptChange } from './change-queue.js';

const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));

function fit(prompts: Prompts, size: Size | null, source: ChangeSource, what: string): Prompts {
  if (!size) return prompts;
  if (source === 'api') {
    checkPromptsInside(prompts, size, what);
    return prompts;
  }
  const { width, height } = size;
  return {
    points: prompts.points.map((p) => ({ x: clamp(p.x, width), y: clamp(p.y, height), label: p.label })),
    box: prompts.box && { x1: clamp(prompts.box.x1, width), y1: clamp(prompts.box.y1, height), x2: clamp(prompts.box.x2, width), y2: clamp(prompts.box.y2, height) },
  };
}

export const addPoint = (point: PromptPoint, source: ChangeSource): PromptChange => ({
  refine: true,
  source,
  apply: (current, size) => {
    const [fitted] = fit({ points: [point], box: null }, size, source, 'addPoint').points;
    return { points: [...current.points, fitted], box: current.box };
  },
});

export const removePoint = (point: PromptPoint, source: ChangeSource): PromptChange => ({
  refine: false,
  source,
  apply: (current) => {
    const index = current.points.findIndex((p) => p.x === point.x && p.y === point.y && p.label === point.label);
    return index < 0 ? null : { points: current.points.filter((_, i) => i !== index), box: current.box };
  },
});

export const removeLastPoint = (source: ChangeSource): PromptChange => ({
  refine: false,
  source,
  apply: (current) => (current.points.length ? { points: current.points.slice(0, -1), box: current.box } : null),
});

export const setBox = (box: PromptBox | null, source: ChangeSource): PromptChange => ({
  refine: false,
  source,
  apply: (current, size) => ({ points: current.points, box: box && fit({ points: [], box }, size, source, 'setBox').box }),
});

export const setPrompts = (prompts: Prompts, source: ChangeSource, what = 'setPrompts'): PromptChange => ({
  refine: false,
  source,
  apply: (_, size) => fit(prompts, size, source, what),
});

/** No change: decode the current prompts (segment() without arguments). */
export const keepPrompts = (source: ChangeSource): PromptChange => ({ refine: true, source, apply: () => null });

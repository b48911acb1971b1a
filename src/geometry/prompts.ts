import { imageToModel } from './model-frame.js';

/** A click prompt in natural-image pixels. label 1 = include (positive), 0 = exclude (negative). */
export interface PromptPoint {
  x: number;
  y: number;
  label: 0 | 1;
}

/** A box prompt in natural-image pixels (corners in any order; normalised before use). */
export interface PromptBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Prompts {
  points: PromptPoint[];
  box: PromptBox | null;
}

/** SAM's label values for the decoder's `point_labels` tensor. */
export const enum PointLabel {
  Negative = 0,
  Positive = 1,
  BoxTopLeft = 2,
  BoxBottomRight = 3,
}

export function normalizeBox(box: PromptBox): PromptBox {
  return {
    x1: Math.min(box.x1, box.x2),
    y1: Math.min(box.y1, box.y2),
    x2: Math.max(box.x1, box.x2),
    y2: Math.max(box.y1, box.y2),
  };
}

export const hasPrompts = (prompts: Prompts): boolean => prompts.points.length > 0 || prompts.box !== null;

/**
 * Builds the decoder's `point_coords` [1,N,2] and `point_labels` [1,N] data in the 1024 frame.
 * The box goes first as two labelled corners (the official predictor's order), then the clicks.
 * No padding point is appended: the samexporter graph appends its own.
 */
export function encodePrompts(prompts: Prompts, width: number, height: number) {
  const entries: Array<[number, number, number]> = [];
  if (prompts.box) {
    const box = normalizeBox(prompts.box);
    const a = imageToModel({ x: box.x1, y: box.y1 }, width, height);
    const b = imageToModel({ x: box.x2, y: box.y2 }, width, height);
    entries.push([a.x, a.y, PointLabel.BoxTopLeft], [b.x, b.y, PointLabel.BoxBottomRight]);
  }
  for (const point of prompts.points) {
    const p = imageToModel(point, width, height);
    entries.push([p.x, p.y, point.label]);
  }
  const coords = new Float32Array(entries.length * 2);
  const labels = new Float32Array(entries.length);
  entries.forEach(([x, y, label], i) => {
    coords[2 * i] = x;
    coords[2 * i + 1] = y;
    labels[i] = label;
  });
  return { coords, labels, count: entries.length };
}

/**
 * Each object's last result, kept by the worker per image (protocol v2): the decoder's three
 * candidates, the chosen one, and its natural-size mask. The page gets the mask transferred; the
 * worker keeps its own copy, so refinement, re-rendering and exports never send logits or masks
 * back down.
 */
import { Sam2Error } from '../errors.js';
import { LOW_RES_SIZE } from '../geometry/model-frame.js';
import type { RefinedEdges } from '../mask/refined-edges.js';
import type { MaskCleanup, MaskPayload, ObjectMask } from './protocol.js';

export interface ObjectState {
  /** All candidates' 256x256 logits, candidate-major, as the decoder gave them. */
  logits: Float32Array;
  scores: number[];
  maskIndex: number;
  /** The chosen candidate after clean-up: what `mask` was thresholded from (labels' tie-break). */
  chosenLogits: Float32Array;
  threshold: number;
  cleanup?: MaskCleanup;
  /** Natural-size mask, the worker's own copy. */
  mask: MaskPayload;
  /** With `edges="image"`: the band's refined scores `mask` was made with (null: the model's edge). */
  edges: RefinedEdges | null;
}

const PLANE = LOW_RES_SIZE * LOW_RES_SIZE;

/** One candidate's raw logits (a view): refinement's `mask_input`, a render's source. */
export const candidate = (logits: Float32Array, index: number): Float32Array => logits.subarray(index * PLANE, (index + 1) * PLANE);

/** An image's objects, by id. */
export type ObjectStates = Map<number, ObjectState>;

export function requireObject(objects: ObjectStates, objectId: number): ObjectState {
  const state = objects.get(objectId);
  if (!state) throw new Sam2Error('not-ready', `Object ${objectId} has no mask yet`);
  return state;
}

/**
 * Keeps `state` as the object's result and returns what the page receives: the same values with
 * the mask's buffer to be transferred, while the worker keeps a copy.
 */
export function keepObject(objects: ObjectStates, objectId: number, state: ObjectState): ObjectMask {
  const { mask } = state;
  objects.set(objectId, { ...state, mask: { ...mask, data: mask.data.slice() } });
  return { ...mask, scores: state.scores, maskIndex: state.maskIndex };
}

/** The objects an export is of, in id order; `not-ready` when none of them has a mask. */
export function selectObjects(objects: ObjectStates, objectId: number | null | undefined, objectIds?: number[]): Array<[number, ObjectState]> {
  const ids = typeof objectId === 'number' ? [objectId] : (objectIds ?? [...objects.keys()]);
  const selected = [...new Set(ids)]
    .sort((a, b) => a - b)
    .flatMap((id) => {
      const state = objects.get(id);
      return state ? [[id, state] as [number, ObjectState]] : [];
    });
  if (typeof objectId === 'number' && !selected.length) requireObject(objects, objectId);
  if (!selected.length) throw new Sam2Error('not-ready', 'No object of this image has a mask yet');
  return selected;
}

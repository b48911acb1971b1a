/**
 * Makes points-only prompts exact on onnx-community (Transformers.js) SAM 2 decoders.
 *
 * Those graphs were traced with a box, so their prompt encoder always ends in
 *   sparse = Concat(axis=2, points [B,P,N,256], boxes [B,nb,3,256])
 * and a click without a box has to be sent with `input_boxes` [B,0,4]. The box operand is then
 * [B,0,3,256]: ONNX requires every dimension but the axis to agree (1 vs 0 here), and
 * onnxruntime's Concat, which skips empty inputs, still counts their 3 rows in the output shape
 * and never writes them. The decoder attends to 3 rows of uninitialised memory: NaN or a
 * different mask on each run (WASM), or 3 extra zero tokens at best (WebGPU). See
 * docs/models.md "Points-only prompts".
 *
 * The fix: reshape the box operand to [B,P,-1,256] before the Concat, with B,P taken from the
 * points operand. With a box (nb = P) that is the identity; without one it is [B,P,0,256], a
 * well-formed empty operand, and the Concat returns the point tokens alone. The element then
 * appends SAM 2's padding point itself (label -1, what transformers does when `input_boxes` is
 * None), which reproduces SAM 2's points-only prompt exactly: the click tokens plus one
 * not-a-point token, no box tokens.
 */
import { editModel, encodeInt64Tensor, encodeNode, inputDependencies, readGraph, type OnnxGraph } from './onnx-graph.js';

const PREFIX = 'sam2_segmenter/empty_box_fix';

export interface BoxConcat {
  /** Index of the Concat node in the graph's node list. */
  index: number;
  pointsOperand: string;
  boxesOperand: string;
}

const sameSet = (set: ReadonlySet<string>, names: string[]) => set.size === names.length && names.every((n) => set.has(n));

/**
 * The Concat that joins the point tokens with the box tokens: two operands, axis 2 (of rank 4),
 * one computed from `input_points`/`input_labels` only, the other from `input_boxes` only. Found by
 * data flow, not by node name, so re-exported or renamed graphs are recognised too.
 */
export function findBoxConcat(graph: OnnxGraph): BoxConcat | null {
  const names = new Set(graph.inputs.map((i) => i.name));
  if (!names.has('input_boxes') || !names.has('input_points')) return null;
  const dependsOn = inputDependencies(graph);
  let found: BoxConcat | null = null;
  graph.nodes.forEach((node, index) => {
    if (found || node.opType !== 'Concat' || node.domain || node.inputs.length !== 2) return;
    if (node.ints.axis !== 2 && node.ints.axis !== -2) return;
    const [a, b] = node.inputs.map(dependsOn);
    const pointsOnly = (s: ReadonlySet<string>) => s.has('input_points') && [...s].every((n) => n === 'input_points' || n === 'input_labels');
    if (pointsOnly(a) && sameSet(b, ['input_boxes'])) found = { index, pointsOperand: node.inputs[0], boxesOperand: node.inputs[1] };
  });
  return found;
}

export interface DecoderGraphFix {
  bytes: Uint8Array;
  /** Whether the graph had the box Concat (and was rewritten). */
  rewritten: boolean;
}

/**
 * The decoder's bytes with the box Concat made safe for an empty `input_boxes` (see the file
 * comment); the bytes unchanged for graphs without it (samexporter exports, exports without
 * `input_boxes`). Only ~10 small nodes are added: the weights are untouched.
 */
export function fixEmptyBoxConcat(bytes: Uint8Array): DecoderGraphFix {
  const graph = readGraph(bytes);
  const concat = findBoxConcat(graph);
  if (!concat) return { bytes, rewritten: false };
  const node = graph.nodes[concat.index];
  const v = (name: string) => `${PREFIX}/${name}`;
  const nodes = [
    encodeNode('Shape', v('Shape'), [concat.pointsOperand], [v('points_shape')]),
    encodeNode('Slice', v('Slice_head'), [v('points_shape'), v('zero'), v('two'), v('zero')], [v('batch_dims')]),
    encodeNode('Slice', v('Slice_tail'), [v('points_shape'), v('three'), v('four'), v('zero')], [v('channels')]),
    encodeNode('Concat', v('Concat_shape'), [v('batch_dims'), v('minus_one'), v('channels')], [v('box_shape')], { axis: 0 }),
    encodeNode('Reshape', v('Reshape'), [concat.boxesOperand, v('box_shape')], [v('boxes')]),
    // The original Concat, now with a box operand whose leading dims agree with the points'.
    encodeNode('Concat', node.name || v('Concat'), [concat.pointsOperand, v('boxes')], node.outputs, { axis: node.ints.axis }),
  ];
  const initializers = [
    encodeInt64Tensor(v('zero'), [0]),
    encodeInt64Tensor(v('two'), [2]),
    encodeInt64Tensor(v('three'), [3]),
    encodeInt64Tensor(v('four'), [4]),
    encodeInt64Tensor(v('minus_one'), [-1]),
  ];
  return { bytes: editModel(bytes, { replaceNodes: new Map([[concat.index, nodes]]), initializers }), rewritten: true };
}

// 8-bit dynamic quantisation of an ONNX model's Conv layers, as onnxruntime's quantiser does it
// for the Transformers.js `_quantized` (q8) exports: ONNXQuantizer in IntegerOps mode, not
// static, per-tensor (per_channel off), full range (reduce_range off), uint8 weights (Transformers.js
// picks uint8 whenever the model has a Conv: onnxruntime-web has no ConvInteger with int8 weights)
// and uint8 activations. Each Conv with an initializer weight becomes
//
//   x ─ DynamicQuantizeLinear ─ x_q, x_scale, x_zp          (once per input tensor)
//   ConvInteger(x_q, w_q, x_zp, w_zp) ─ Cast(float) ─ Mul(x_scale · w_scale) ─ Add(Reshape(bias, [1,-1,1,1]))
//
// with the node and tensor names onnxruntime gives them. Only Conv is handled: a graph with other
// ops that quantiser would quantise (MatMul with a constant B, Gather on a constant table,
// Attention, LSTM, EmbedLayerNormalization) is refused, since leaving them in float would not be
// what the q8 export is. EdgeTAM's image encoder (RepViT) is Conv only.
//
//   node bench/convert/quantize-q8.mjs IN.onnx OUT.onnx      (IN's external data beside it)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATTR_INT, FLOAT, INT64, UINT8, decodeModel, encodeModel, floatValues, inlineTensor } from './onnx-proto.mjs';

/** Ops onnxruntime's IntegerOps registry quantises besides Conv (not handled here). */
const OTHER_INTEGER_OPS = new Set(['MatMul', 'Gather', 'Attention', 'LSTM', 'EmbedLayerNormalization']);

const f32 = Math.fround;

/** numpy.round: halves to even. */
export function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Per-tensor uint8 parameters of onnxruntime's `compute_scale_zp` (asymmetric, qmin 0, qmax 255):
 * the range is widened to hold 0; scale = (rmax - rmin) / 255 in float64, zero point =
 * round(0 - rmin / scale) from that float64 scale, then the scale is stored as float32.
 */
export function uint8Params(values) {
  let rmin = 0;
  let rmax = 0;
  for (const v of values) {
    if (v < rmin) rmin = v;
    if (v > rmax) rmax = v;
  }
  const scale = (rmax - rmin) / 255;
  if (scale < 1.1754943508222875e-38) return { scale: 1, zeroPoint: 0 }; // numpy.finfo(float32).tiny
  return { scale: f32(scale), zeroPoint: roundHalfEven(0 - rmin / scale) };
}

/** onnxruntime's `quantize_nparray`: round(x / scale) (float32 division) + zero point, clipped to uint8. */
export function quantizeUint8(values, { scale, zeroPoint }) {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = roundHalfEven(f32(values[i] / scale)) + zeroPoint;
    out[i] = q < 0 ? 0 : q > 255 ? 255 : q;
  }
  return out;
}

const intAttr = (name, i) => ({ name, type: ATTR_INT, i });
const node = (op_type, name, input, output, attribute = []) => ({ op_type, name, input, output, attribute });

const noExternalData = () => {
  throw new Error('the model has external data: pass readExternal');
};

/**
 * Returns the quantised model (a single file: remaining external initializers are inlined) and
 * what was done. `readExternal(location)`: the bytes of an external data file of `model`.
 * `keepOtherOpsFloat`: quantise the Convs of a graph that has other quantisable ops too, leaving
 * those in float (not a q8 export: only for comparing the Conv pattern with onnxruntime's).
 */
export function quantizeConvQ8(modelBytes, readExternal = noExternalData, { keepOtherOpsFloat = false } = {}) {
  const model = decodeModel(modelBytes);
  const graph = model.graph;
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
  const others = graph.node.filter((n) => OTHER_INTEGER_OPS.has(n.op_type) && (n.domain ?? '') === '' && n.input.some((i, k) => k > 0 && initializers.has(i)));
  if (others.length && !keepOtherOpsFloat) {
    throw new Error(`only Conv is quantised here; the graph also has ${[...new Set(others.map((n) => n.op_type))].join(', ')} with constant operands`);
  }

  const dynamic = new Map(); // input tensor → its DynamicQuantizeLinear outputs
  const quantisedWeights = new Map(); // weight name → names of its uint8 data, scale, zero point
  const newInitializers = [];
  const prologue = []; // bias Reshapes: onnxruntime puts them first
  const nodes = [];
  let convs = 0;
  for (const n of graph.node) {
    const weight = n.op_type === 'Conv' && (n.domain ?? '') === '' ? initializers.get(n.input[1]) : undefined;
    if (!weight || weight.data_type !== FLOAT) {
      nodes.push(n);
      continue;
    }
    convs++;
    const [x, w, bias] = n.input;
    const out = n.output[0];
    if (!dynamic.has(x)) {
      const q = { data: `${x}_quantized`, scale: `${x}_scale`, zeroPoint: `${x}_zero_point` };
      dynamic.set(x, q);
      nodes.push(node('DynamicQuantizeLinear', `${x}_QuantizeLinear`, [x], [q.data, q.scale, q.zeroPoint]));
    }
    const xq = dynamic.get(x);
    if (!quantisedWeights.has(w)) {
      const values = floatValues(weight, readExternal);
      const params = uint8Params(values);
      const names = { data: `${w}_quantized`, scale: `${w}_scale`, zeroPoint: `${w}_zero_point` };
      newInitializers.push(
        { name: names.data, data_type: UINT8, dims: weight.dims, raw_data: quantizeUint8(values, params) },
        { name: names.scale, data_type: FLOAT, dims: [], float_data: [params.scale] },
        { name: names.zeroPoint, data_type: UINT8, dims: [], int32_data: [params.zeroPoint] },
      );
      quantisedWeights.set(w, names);
    }
    const wq = quantisedWeights.get(w);
    const scales = `${n.name}_quant_scales_mul:0`;
    const integer = `${out}_output_quantized`;
    const cast = `${out}_output_quantized_cast_output`;
    const scaled = bias ? `${out}quant_scaled_output` : out;
    nodes.push(
      node('Mul', `${n.name}_quant_scales_mul`, [xq.scale, wq.scale], [scales]),
      node('ConvInteger', `${n.name}_quant`, [xq.data, wq.data, xq.zeroPoint, wq.zeroPoint], [integer], n.attribute),
      node('Cast', `${out}_output_quantized_cast`, [integer], [cast], [intAttr('to', FLOAT)]),
      node('Mul', `${n.name}_quant_output_scale_mul`, [cast, scales], [scaled]),
    );
    if (bias) {
      const shape = `${out}_bias_reshape_shape`;
      const reshaped = `${out}_bias_reshape_output`;
      newInitializers.push({ name: shape, data_type: INT64, dims: [4], int64_data: [1, -1, 1, 1] });
      prologue.push(node('Reshape', '', [bias, shape], [reshaped]));
      nodes.push(node('Add', `${out}_bias_add`, [scaled, reshaped], [out]));
    }
  }
  // Float weights no node reads any more are dropped; the rest are kept, inline.
  const stillUsed = new Set([...prologue, ...nodes].flatMap((n) => n.input));
  const kept = graph.initializer.filter((t) => stillUsed.has(t.name)).map((t) => inlineTensor(t, readExternal));
  graph.node = [...prologue, ...nodes];
  graph.initializer = [...kept, ...newInitializers];
  graph.value_info = []; // types of rewritten tensors changed; onnxruntime infers them
  model.producer_name = 'onnx.quantize';
  model.producer_version = '0.1.0';
  if (!model.opset_import.some((o) => o.domain === 'com.microsoft')) model.opset_import.push({ domain: 'com.microsoft', version: 1 });
  return { bytes: encodeModel(model), convs, weights: quantisedWeights.size, activations: dynamic.size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node bench/convert/quantize-q8.mjs IN.onnx OUT.onnx');
    process.exit(2);
  }
  const files = new Map();
  const readExternal = (location) => {
    if (!files.has(location)) files.set(location, readFileSync(join(dirname(input), location)));
    return files.get(location);
  };
  const { bytes, convs, weights, activations } = quantizeConvQ8(readFileSync(input), readExternal);
  writeFileSync(output, bytes);
  console.log(`${output}: ${bytes.length} bytes; ${convs} Conv → ConvInteger (${weights} weights, ${activations} activations quantised)`);
}

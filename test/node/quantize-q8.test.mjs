// bench/convert/quantize-q8.mjs (the EdgeTAM q8 encoder for bench/precision.mjs), with node --test.
// Golden numbers: onnxruntime's compute_scale_zp + quantize_nparray (quant_utils.py) evaluated
// with numpy 2.4 on the same float32 values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-web/wasm';
import { decodeModel, encodeModel, FLOAT } from '../../bench/convert/onnx-proto.mjs';
import { quantizeConvQ8, quantizeUint8, roundHalfEven, uint8Params } from '../../bench/convert/quantize-q8.mjs';

const f32 = (values) => Float32Array.from(values);
/** The deterministic values the numpy goldens below were computed on. */
function lcgValues() {
  let s = 12345;
  const v = new Float32Array(4096);
  for (let i = 0; i < v.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    v[i] = ((s / 2 ** 32) * 2 - 1) * 0.07 + 0.01;
  }
  return v;
}
const weightedSum = (q) => q.reduce((sum, x, i) => sum + x * ((i % 251) + 1), 0);

describe('uint8 weight quantisation as onnxruntime does it', () => {
  it('rounds halves to even, like numpy.round', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 42.5, 42.4999].map(roundHalfEven), [0, 2, 2, -0, -2, 42, 42]);
  });

  it('widens the range to hold zero and keeps numpy\'s scale, zero point and bytes', () => {
    const cases = [
      { values: [-1, 0, 0.5, 2], scale: 0.0117647061124444, zeroPoint: 85, q: [0, 85, 127, 255] },
      { values: [0.25, 1, 3], scale: 0.0117647061124444, zeroPoint: 0, q: [21, 85, 255] },
      { values: [-0.3, -0.01, -2.55], scale: 0.009999999776482582, zeroPoint: 255, q: [225, 254, 0] },
      { values: [0, 0, 0], scale: 1, zeroPoint: 0, q: [0, 0, 0] },
    ];
    for (const { values, scale, zeroPoint, q } of cases) {
      const params = uint8Params(f32(values));
      assert.equal(params.scale, Math.fround(scale), `scale of ${values}`);
      assert.equal(params.zeroPoint, zeroPoint, `zero point of ${values}`);
      assert.deepEqual([...quantizeUint8(f32(values), params)], q, `bytes of ${values}`);
    }
  });

  it('matches numpy on 4096 values byte for byte (sum and position-weighted sum)', () => {
    const values = lcgValues();
    const params = uint8Params(values);
    assert.equal(params.scale, Math.fround(0.0005486547597683966));
    assert.equal(params.zeroPoint, 109);
    const q = quantizeUint8(values, params);
    assert.equal(q.reduce((a, b) => a + b, 0), 522986);
    assert.equal(weightedSum(q), 65071271);
  });
});

// A two-Conv graph (the second reads the first's output; both read by one more Conv sharing the
// first input) built with the converter's own protobuf schema.
function convModel() {
  const tensor = (name, dims, values) => ({ name, data_type: FLOAT, dims, raw_data: new Uint8Array(f32(values).buffer) });
  let s = 99;
  const rand = (n, scale) => Array.from({ length: n }, () => (((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1) * scale);
  const conv = (name, input, weight, bias, output, group = 1) => ({
    op_type: 'Conv', name, input: [input, weight, bias], output: [output],
    attribute: [{ name: 'kernel_shape', type: 7, ints: [3, 3] }, { name: 'pads', type: 7, ints: [1, 1, 1, 1] }, { name: 'group', type: 2, i: group }],
  });
  const value = (name, dims) => ({ name, type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => ({ dim_value: d })) } } } });
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'convs',
      node: [
        conv('/a/Conv', 'x', 'wa', 'ba', 'a'),
        { op_type: 'Relu', name: '/relu', input: ['a'], output: ['r'] },
        conv('/b/Conv', 'r', 'wb', 'bb', 'y', 4),
        conv('/c/Conv', 'x', 'wc', 'bb', 'z'),
      ],
      initializer: [tensor('wa', [4, 3, 3, 3], rand(108, 0.3)), tensor('ba', [4], rand(4, 0.1)), tensor('wb', [4, 1, 3, 3], rand(36, 0.3)), tensor('bb', [4], rand(4, 0.1)), tensor('wc', [4, 3, 3, 3], rand(108, 0.3))],
      input: [value('x', [1, 3, 16, 16])],
      output: [value('y', [1, 4, 16, 16]), value('z', [1, 4, 16, 16])],
    },
  });
}

describe('quantizeConvQ8', () => {
  it('turns every Conv into onnxruntime\'s ConvInteger pattern, one DynamicQuantizeLinear per input', () => {
    const { bytes, convs, weights, activations } = quantizeConvQ8(convModel());
    assert.deepEqual({ convs, weights, activations }, { convs: 3, weights: 3, activations: 2 });
    const graph = decodeModel(bytes).graph;
    const ops = graph.node.map((n) => n.op_type);
    assert.equal(ops.filter((o) => o === 'Conv').length, 0);
    assert.equal(ops.filter((o) => o === 'ConvInteger').length, 3);
    assert.equal(ops.filter((o) => o === 'DynamicQuantizeLinear').length, 2);
    const b = graph.node.find((n) => n.name === '/b/Conv_quant');
    assert.deepEqual(b.input, ['r_quantized', 'wb_quantized', 'r_zero_point', 'wb_zero_point']);
    assert.equal(b.attribute.find((a) => a.name === 'group').i, 4);
    assert.deepEqual(graph.node.find((n) => n.output[0] === 'y').input, ['yquant_scaled_output', 'y_bias_reshape_output']);
    // Float weights are gone; uint8 ones with a float scale and a uint8 zero point replace them.
    const names = new Set(graph.initializer.map((t) => t.name));
    for (const w of ['wa', 'wb', 'wc']) {
      assert.ok(!names.has(w), `${w} dropped`);
      assert.equal(graph.initializer.find((t) => t.name === `${w}_quantized`).data_type, 2);
    }
    assert.ok(names.has('bb'), 'the shared bias stays (reshaped once per Conv)');
  });

  it('computes what the float model computes, within 8-bit error, in onnxruntime-web', async () => {
    ort.env.wasm.numThreads = 1;
    const x = new ort.Tensor('float32', Float32Array.from({ length: 3 * 16 * 16 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 16, 16]);
    const float = await ort.InferenceSession.create(convModel());
    const quantised = await ort.InferenceSession.create(quantizeConvQ8(convModel()).bytes);
    const [a, b] = [await float.run({ x }), await quantised.run({ x })];
    for (const name of ['y', 'z']) {
      const p = a[name].data;
      const q = b[name].data;
      let err = 0;
      let ref = 0;
      for (let i = 0; i < p.length; i++) {
        err += (p[i] - q[i]) ** 2;
        ref += p[i] ** 2;
      }
      const relative = Math.sqrt(err / ref);
      assert.ok(relative > 0, `${name}: quantised, so not bit-identical`);
      assert.ok(relative < 0.03, `${name}: relative RMS error ${relative}`);
    }
    await Promise.all([float.release(), quantised.release()]);
  });

  it('refuses a graph whose MatMul it would have to leave in float', () => {
    const model = decodeModel(convModel());
    model.graph.initializer.push({ name: 'm', data_type: FLOAT, dims: [16, 16], raw_data: new Uint8Array(16 * 16 * 4) });
    model.graph.node.push({ op_type: 'MatMul', name: '/mm', input: ['z', 'm'], output: ['w'] });
    assert.throws(() => quantizeConvQ8(encodeModel(model)), /only Conv is quantised here; the graph also has MatMul/);
  });
});

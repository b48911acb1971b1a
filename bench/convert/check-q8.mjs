// Checks the node pattern of bench/convert/quantize-q8.mjs against onnxruntime's own quantiser:
// the bench models' SAM 2.1 tiny `encoder.q8.onnx` was made by onnxruntime's quantize_dynamic
// (uint8 weights, per-tensor) from the same graph as `encoder.onnx`. Every node quantizeConvQ8
// writes for encoder.onnx's Convs (DynamicQuantizeLinear, the scale Muls, ConvInteger, Cast, the
// bias Reshape and Add) must be in encoder.q8.onnx with the same op, name, inputs, outputs and
// attributes, and every ConvInteger there must come from one of them. (The weights can't be
// compared: the bench models' weights are random, drawn separately for each file; the arithmetic
// is checked with golden numbers in test/node/quantize-q8.test.mjs.)
//
//   node bench/convert/check-q8.mjs [bench/models/sam2.1_hiera_tiny]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel } from './onnx-proto.mjs';
import { quantizeConvQ8 } from './quantize-q8.mjs';

const dir = process.argv[2] ?? 'bench/models/sam2.1_hiera_tiny';
const original = readFileSync(join(dir, 'encoder.onnx'));
const theirs = decodeModel(readFileSync(join(dir, 'encoder.q8.onnx'))).graph;
const mine = decodeModel(quantizeConvQ8(original, undefined, { keepOtherOpsFloat: true }).bytes).graph;

const attrs = (n) => JSON.stringify((n.attribute ?? []).map(({ name, type, i, f, ints, floats, s }) => ({ name, type, i, f, ints, floats, s: s && Buffer.from(s).toString() })).sort((a, b) => a.name.localeCompare(b.name)));
const key = (n) => `${n.op_type}|${n.name ?? ''}|${n.input.join(',')}|${n.output.join(',')}|${attrs(n)}`;
const theirKeys = new Set(theirs.node.map(key));
const originalKeys = new Set(decodeModel(original).graph.node.map(key));
const written = mine.node.filter((n) => !originalKeys.has(key(n)));
const missing = written.filter((n) => !theirKeys.has(key(n)));
const ourConvIntegers = new Set(mine.node.filter((n) => n.op_type === 'ConvInteger').map(key));
const unmatched = theirs.node.filter((n) => n.op_type === 'ConvInteger' && !ourConvIntegers.has(key(n)));
const initializer = (g, name) => g.initializer.find((t) => t.name === name);
const shapeOk = mine.node.filter((n) => n.op_type === 'Reshape' && n.input[1].endsWith('_bias_reshape_shape')).every((n) => JSON.stringify(initializer(theirs, n.input[1])?.int64_data?.map(Number)) === JSON.stringify(initializer(mine, n.input[1]).int64_data.map(Number)));
const report = { nodesWritten: written.length, notInOnnxruntimeOutput: missing.map((n) => `${n.op_type} ${n.name}`), convIntegerInOnnxruntimeOutput: theirs.node.filter((n) => n.op_type === 'ConvInteger').length, unmatchedConvInteger: unmatched.length, biasShapesEqual: shapeOk };
console.log(JSON.stringify(report, null, 2));
if (!written.length || missing.length || unmatched.length || !shapeOk) process.exit(1);
